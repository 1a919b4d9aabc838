package io.deadbolt.client;

/**
 * The base of the exceptions the deadbolt client raises when an operation fails. Unchecked, like the
 * exceptions of most client libraries: catch the subclasses you can act on ({@link LockTimeoutException},
 * {@link ConnectionLostException}, {@link LockLostException}).
 */
public class DeadboltException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public DeadboltException(String message) {
        super(message);
    }

    public DeadboltException(String message, Throwable cause) {
        super(message, cause);
    }
}
