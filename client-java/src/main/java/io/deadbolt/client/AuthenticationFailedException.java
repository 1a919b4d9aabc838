package io.deadbolt.client;

/**
 * The server refused the client's credentials: the configured password is wrong
 * ({@code 401 invalid password}), or the server requires a password and none is configured
 * ({@code 401 authentication required}; set one with {@link LockClient.Builder#password(String)}).
 * Thrown by {@link LockClient.Builder#connect()}; retrying with the same settings cannot succeed.
 */
public class AuthenticationFailedException extends ConnectFailedException {
    private static final long serialVersionUID = 1L;

    public AuthenticationFailedException(String message) {
        super(message, null);
    }

    public AuthenticationFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
