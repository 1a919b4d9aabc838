package io.deadbolt.bench.load;

import java.util.Arrays;

/**
 * The grants of the contended run, each with when its request was sent and when the client knew it was
 * queued, to check first come, first served without trusting the server's word for it.
 *
 * <p>A connection sends {@code unlock} and its next {@code lock NAME WAIT} in one write. The server answers
 * the unlock only after it has read both lines (replies of one read are flushed together), so once the
 * client holds that {@code 200 Unlocked}, the new request is in the queue. From then on nobody who asks
 * later may be served first: a grant whose request was sent after some other waiter was known to be
 * queued, while that waiter was served later, is a FIFO violation. Tokens give the true grant order: the
 * server hands them out in increasing order.
 */
final class GrantLog {
    private static final int MAX_ENTRIES = 20_000_000;
    private long[] tokens = new long[1 << 16];
    private long[] sentAt = new long[1 << 16];
    private long[] queuedAt = new long[1 << 16];
    private int size;
    private volatile boolean recording;

    void recording(boolean on) {
        recording = on;
    }

    /**
     * @param sentNanos   when the granted request was sent
     * @param queuedNanos when the client knew it was queued; {@link Long#MAX_VALUE} if it never knew
     */
    synchronized void add(long token, long sentNanos, long queuedNanos) {
        if (!recording || size == MAX_ENTRIES) {
            return;
        }
        if (size == tokens.length) {
            tokens = Arrays.copyOf(tokens, size * 2);
            sentAt = Arrays.copyOf(sentAt, size * 2);
            queuedAt = Arrays.copyOf(queuedAt, size * 2);
        }
        tokens[size] = token;
        sentAt[size] = sentNanos;
        queuedAt[size] = queuedNanos;
        size++;
    }

    synchronized FifoReport check() {
        Integer[] order = new Integer[size];
        for (int i = 0; i < size; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Long.compare(tokens[a], tokens[b]));
        long violations = 0;
        for (int i = 1; i < size; i++) {
            if (tokens[order[i]] == tokens[order[i - 1]]) {
                violations++;
            }
        }
        // Walk from the last grant back: each grant's request must have been sent before every request
        // granted after it was known to be queued.
        long earliestQueuedLater = Long.MAX_VALUE;
        for (int i = size - 1; i >= 0; i--) {
            int at = order[i];
            if (sentAt[at] > earliestQueuedLater) {
                violations++;
            }
            earliestQueuedLater = Math.min(earliestQueuedLater, queuedAt[at]);
        }
        return new FifoReport(size, violations);
    }

    /**
     * @param grants     grants checked (those of the measured window)
     * @param violations grants that overtook a waiter known to be queued before they asked, plus tokens
     *                   granted twice
     */
    record FifoReport(long grants, long violations) {
        boolean kept() {
            return grants > 0 && violations == 0;
        }
    }
}
