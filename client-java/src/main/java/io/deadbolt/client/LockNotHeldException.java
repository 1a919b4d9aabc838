package io.deadbolt.client;

/**
 * An unlock of a lock this session does not hold. {@link #reason()} says whether someone else holds it
 * ({@link Reason#NOT_YOURS}) or nobody does ({@link Reason#NOT_LOCKED}); the message says the same.
 */
public class LockNotHeldException extends IllegalMonitorStateException {
    private static final long serialVersionUID = 1L;

    /** Why the unlock was refused; the server's {@code 403 not_yours} and {@code 403 not_locked}. */
    public enum Reason {
        /** Another session holds the lock. */
        NOT_YOURS,
        /** Nobody holds the lock (or this handle has released it already). */
        NOT_LOCKED
    }

    private final String lockName;
    private final Reason reason;

    public LockNotHeldException(String lockName, Reason reason, String message) {
        super(message);
        this.lockName = lockName;
        this.reason = reason;
    }

    /** The name of the lock the unlock was for. */
    public String lockName() {
        return lockName;
    }

    /** Whether another session holds the lock or nobody does. */
    public Reason reason() {
        return reason;
    }
}
