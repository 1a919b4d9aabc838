package io.deadbolt.client;

/**
 * The request did not complete because the client's connection to the server was lost, or the client
 * is still reconnecting and accepts no requests until its session is re-established.
 *
 * <p>For a request that had already been sent, the server may or may not have carried it out. The client
 * makes this safe for locks: a {@code lock} whose answer was lost is released again once the session is
 * resumed, and a release that was cut short is finished then (or by the session's expiry). Retrying the
 * operation once {@link LockClient#isConnected()} is true again is safe.
 */
public class ConnectionLostException extends DeadboltException {
    private static final long serialVersionUID = 1L;

    public ConnectionLostException(String message) {
        super(message);
    }

    public ConnectionLostException(String message, Throwable cause) {
        super(message, cause);
    }
}
