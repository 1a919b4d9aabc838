package io.deadbolt.client;

/**
 * A lock was not granted within the wait the caller asked for: another session held it the whole time.
 * Nothing is held when this is thrown; a grant that would arrive later is released by the client.
 */
public class LockTimeoutException extends DeadboltException {
    private static final long serialVersionUID = 1L;
    private final String lockName;

    public LockTimeoutException(String lockName, String message) {
        super(message);
        this.lockName = lockName;
    }

    /** The name of the lock that was not granted. */
    public String lockName() {
        return lockName;
    }
}
