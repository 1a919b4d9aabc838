package io.deadbolt.client;

import java.util.concurrent.CompletableFuture;

/**
 * One grant of a named lock to this client, with its fencing token. Closing the handle releases the lock,
 * so try-with-resources keeps a critical section tidy:
 *
 * <pre>{@code
 * try (LockHandle lock = client.lock("orders", Duration.ofSeconds(5))) {
 *     store.write(order, lock.token());   // the store refuses tokens older than the newest it has seen
 * }
 * }</pre>
 *
 * <p>A handle is valid ({@link State#HELD}) from the grant until it is released (by {@link #close()},
 * {@link #unlock()}, {@link LockClient#unlock(String)}, {@link LockClient#unlockAll()} or closing the
 * client) or lost (the session expired). While the connection is down the handle stays valid but the
 * lock is in doubt; see {@link SessionListener}. Handles are thread-safe.
 */
public interface LockHandle extends AutoCloseable {

    /** Where a handle is in its life. */
    enum State {
        /** The client holds the lock (as far as it knows: see {@link SessionListener#connectionLost}). */
        HELD,
        /** The lock was released through this client. */
        RELEASED,
        /** The session expired, and the server released the lock without being asked. */
        LOST
    }

    /** The lock's name. */
    String name();

    /**
     * The fencing token of this grant: larger than the token of every earlier grant of this name, across
     * clients and server restarts. Send it with every write to the resource the lock protects and have
     * the resource refuse a token smaller than one it has already seen.
     */
    long token();

    /** Whether the handle holds its lock, was released, or lost its lock with the session. */
    State state();

    /** True while {@link #state()} is {@link State#HELD}. */
    default boolean isValid() {
        return state() == State.HELD;
    }

    /**
     * Throws unless the handle is valid: {@link LockLostException} if the session expired,
     * {@link LockNotHeldException} if the lock was released. A cheap local check, for the top of a
     * critical section or between its steps; it cannot replace the fencing token.
     */
    void ensureValid();

    /**
     * Releases the lock and waits for the server to confirm.
     *
     * @throws LockLostException    if the lock was lost with the session
     * @throws LockNotHeldException if it was released already
     * @throws ClientClosedException if the client is closed
     */
    void unlock();

    /**
     * Releases the lock without blocking. The handle is invalid as soon as this is called. If the
     * connection is down, the release is completed once the session is resumed (or made moot by its
     * expiry) and the future completes at once.
     */
    CompletableFuture<Void> unlockAsync();

    /**
     * Releases the lock if the handle is still valid, and does nothing otherwise; never throws. Waits for
     * the server's confirmation (bounded by the client's request timeout), so another client can take the
     * lock as soon as this returns.
     */
    @Override
    void close();
}
