package io.deadbolt.client;

/**
 * Hears what happens to the client's session, so an application can stop protected work when its locks
 * are in doubt and learn for certain when they are gone. Register one with
 * {@link LockClient.Builder#listener(SessionListener)}.
 *
 * <p>Events arrive one at a time, in the order they happened, on the client's callback executor (never
 * on its I/O thread), so a listener may call the client, blocking calls included. An exception thrown
 * by a listener is logged and otherwise ignored.
 */
public interface SessionListener {

    /**
     * The connection to the server broke. The session's locks are still held by the server for the
     * session's grace period, but until {@link #resumed} they are in doubt: pause work that needs them.
     * The client is reconnecting in the background; requests fail with {@link ConnectionLostException}
     * meanwhile.
     *
     * @param sessionId the session whose connection broke
     * @param cause     what broke it, as far as the client knows
     */
    default void connectionLost(String sessionId, Throwable cause) {
    }

    /**
     * The client reconnected within the grace period and took its session back: every valid
     * {@link LockHandle} is still valid, with the same token.
     *
     * @param sessionId the resumed session
     * @param locksHeld how many locks the server says the session holds
     */
    default void resumed(String sessionId, int locksHeld) {
    }

    /**
     * The session expired and with it every lock it held: the server was restarted, or the client could
     * not reach it within the grace period. Every handle has already been made invalid
     * ({@link LockHandle#state()} is {@link LockHandle.State#LOST}); other sessions may hold those locks
     * now. The client carries on with a fresh session once it reaches the server, and then calls
     * {@link #sessionStarted}.
     *
     * @param sessionId the session that expired
     */
    default void sessionExpired(String sessionId) {
    }

    /**
     * After {@link #sessionExpired}: the client is connected again, with a new, empty session, and takes
     * requests. This is the moment to take again the locks the application needs. Not called for the
     * client's first session: {@link LockClient#connect} returns when that one is ready.
     *
     * @param sessionId the new session's id (the old one if the server restarted and took it up again)
     */
    default void sessionStarted(String sessionId) {
    }
}
