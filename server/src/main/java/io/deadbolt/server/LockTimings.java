package io.deadbolt.server;

/**
 * Receives how long locks were held and how long queued requests waited, in milliseconds. Called with
 * the lock service's monitor held, once per release and once per answered wait, so an implementation
 * must be quick and must not call back into the service.
 */
public interface LockTimings {
    LockTimings NONE = new LockTimings() {
        @Override
        public void held(long millis) {
        }

        @Override
        public void waited(long millis) {
        }
    };

    /** A lock was released after being held this long. */
    void held(long millis);

    /** A queued {@code lock} request was granted or timed out after waiting this long. */
    void waited(long millis);
}
