package io.deadbolt.server.lock;

/** The answer to {@code unlock NAME}. */
public enum UnlockResult {
    UNLOCKED,
    /** Held by another session. */
    NOT_YOURS,
    /** Held by nobody. */
    NOT_LOCKED
}
