package io.deadbolt.it.client;

import io.deadbolt.client.LockClient;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Waiting, with a bound, for lock requests to be queued on the server. */
final class ServerWaiters {
    private ServerWaiters() {
    }

    /**
     * Returns once the server's {@code stats} report {@code count} queued lock requests, asked through
     * {@code observer}; each check is a round trip to the server, so nothing sleeps.
     */
    static void await(LockClient observer, int count) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        Map<String, String> stats;
        do {
            stats = observer.stats();
            if (stats.get("waiters").equals(String.valueOf(count))) {
                return;
            }
        } while (System.nanoTime() < deadline);
        throw new AssertionError("expected " + count + " waiter(s) on the server, stats say " + stats.get("waiters"));
    }
}
