package io.deadbolt.server;

/**
 * Where a session's late answers go: the connection a queued {@code lock} came from. Called while the
 * lock service's monitor is held, from any thread, so an implementation only hands the answer to its
 * own event loop.
 */
public interface SessionChannel {
    void lockGranted(String name, long token);

    void waitExpired(String name);

    /** The address of the connection, {@code ADDR:PORT}, for operators; null if unknown. */
    default String peer() {
        return null;
    }
}
