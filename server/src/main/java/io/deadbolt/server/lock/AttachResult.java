package io.deadbolt.server.lock;

/** The answer to attaching a connection to a session by id ({@code conn_id ID}). */
public record AttachResult(Outcome outcome, int locks) {
    public enum Outcome {
        /** The session was in its grace period; the connection took it over with {@code locks} locks. */
        RESUMED,
        /** No such session: a new one was started with that id. */
        CREATED,
        /** Another open connection is attached to that session. */
        REFUSED
    }

    public static final AttachResult CREATED = new AttachResult(Outcome.CREATED, 0);
    public static final AttachResult REFUSED = new AttachResult(Outcome.REFUSED, 0);

    public static AttachResult resumed(int locks) {
        return new AttachResult(Outcome.RESUMED, locks);
    }
}
