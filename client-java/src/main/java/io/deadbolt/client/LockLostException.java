package io.deadbolt.client;

/**
 * The lock behind a {@link LockHandle} was lost: the client's session expired (its connection was down
 * longer than the session's grace period, or the server restarted), so the server released the lock and
 * may have granted it to someone else since. Work done under that lock after the loss was not protected;
 * only the fencing token can tell the protected resource so.
 */
public class LockLostException extends DeadboltException {
    private static final long serialVersionUID = 1L;
    private final String lockName;

    public LockLostException(String lockName, String message) {
        super(message);
        this.lockName = lockName;
    }

    /** The name of the lost lock. */
    public String lockName() {
        return lockName;
    }
}
