package io.deadbolt.server.lock;

/** What a {@code lock} request got at once. A {@link Outcome#QUEUED} request is answered later. */
public record LockResult(Outcome outcome, long token) {
    public enum Outcome { ACQUIRED, UNAVAILABLE, QUEUED, TOO_MANY_LOCKS }

    public static final LockResult UNAVAILABLE = new LockResult(Outcome.UNAVAILABLE, 0);
    public static final LockResult QUEUED = new LockResult(Outcome.QUEUED, 0);
    /** The session already holds as many locks as it may. */
    public static final LockResult TOO_MANY_LOCKS = new LockResult(Outcome.TOO_MANY_LOCKS, 0);

    public static LockResult acquired(long token) {
        return new LockResult(Outcome.ACQUIRED, token);
    }
}
