package io.deadbolt.client;

/**
 * {@link LockClient.Builder#connect()} could not reach any endpoint, or an endpoint answered the opening
 * handshake in a way the client cannot work with (it is not a deadbolt server, its TLS handshake failed,
 * it refused the configured session timeout, or, as {@link AuthenticationFailedException}, the password). Once a client has connected it never throws this: later outages are
 * retried in the background and reported through {@link SessionListener}.
 */
public class ConnectFailedException extends DeadboltException {
    private static final long serialVersionUID = 1L;

    public ConnectFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
