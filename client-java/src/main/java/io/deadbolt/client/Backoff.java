package io.deadbolt.client;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Doubling delays between reconnect attempts, from an initial delay up to a cap. A little randomness
 * keeps many clients that lost the same server from knocking on it in lockstep.
 */
final class Backoff {
    private final long initialMillis;
    private final long maxMillis;
    private long nextMillis;

    Backoff(long initialMillis, long maxMillis) {
        this.initialMillis = initialMillis;
        this.maxMillis = maxMillis;
        this.nextMillis = initialMillis;
    }

    long nextDelayMillis() {
        long delay = nextMillis;
        nextMillis = Math.min(maxMillis, Math.max(1, nextMillis * 2));
        long jitter = delay / 5;
        return Math.min(maxMillis, delay + (jitter > 0 ? ThreadLocalRandom.current().nextLong(jitter + 1) : 0));
    }

    void reset() {
        nextMillis = initialMillis;
    }
}
