package io.deadbolt.protocol;

import java.util.List;
import java.util.Objects;

/** A reply from the server: one status line, or the multi-line {@code stats} or {@code locks} reply. */
public sealed interface Reply permits Reply.Status, Reply.Stats, Reply.Locks {

    int OK_CODE = 200;
    int SHUTTING_DOWN_CODE = 503;
    int BAD_REQUEST_CODE = 400;
    int FORBIDDEN_CODE = 403;
    int CONFLICT_CODE = 409;
    int UNAUTHORIZED_CODE = 401;
    int TIMEOUT_CODE = 408;
    /** The same 503 as {@link #SHUTTING_DOWN_CODE}: the server cannot serve this connection now. */
    int SERVICE_UNAVAILABLE_CODE = 503;

    Status UNAVAILABLE = new Status(CONFLICT_CODE, "Unavailable");
    Status UNLOCKED = new Status(OK_CODE, "Unlocked");
    Status NOT_YOURS = new Status(FORBIDDEN_CODE, "not_yours");
    Status NOT_LOCKED = new Status(FORBIDDEN_CODE, "not_locked");
    Status ALL_UNLOCKED = new Status(OK_CODE, "OK");
    Status CONN_ID_NEW = new Status(OK_CODE, "conn id set new");
    Status CONN_ID_REFUSED = new Status(FORBIDDEN_CODE, "cannot set conn id");
    Status TIMEOUT_SET = new Status(OK_CODE, "timeout set");
    Status BYE = new Status(OK_CODE, "Hey, it was nice seeing you.");
    Status LINE_TOO_LONG = new Status(BAD_REQUEST_CODE, "line too long");
    Status REQUEST_TIMED_OUT = new Status(TIMEOUT_CODE, "request timed out");
    Status AUTHENTICATED = new Status(OK_CODE, "authenticated");
    Status NO_PASSWORD_REQUIRED = new Status(OK_CODE, "no password required");
    Status AUTHENTICATION_REQUIRED = new Status(UNAUTHORIZED_CODE, "authentication required");
    Status INVALID_PASSWORD = new Status(UNAUTHORIZED_CODE, "invalid password");
    Status TOO_MANY_CONNECTIONS = new Status(SERVICE_UNAVAILABLE_CODE, "too many connections");
    Status SHUTTING_DOWN = new Status(SHUTTING_DOWN_CODE, "shutting down");
    Status NAME_SET = new Status(OK_CODE, "name set");
    /** {@code info NAME} of a lock nobody holds; a free lock never has waiters. */
    Status FREE = new Status(OK_CODE, "free waiters=0");

    String ACQUIRED_PREFIX = "Acquired token=";
    String RESUMED_PREFIX = "conn id set resumed locks=";

    static Status acquired(long token) {
        return new Status(OK_CODE, ACQUIRED_PREFIX + token);
    }

    static Status resumed(int locks) {
        return new Status(OK_CODE, RESUMED_PREFIX + locks);
    }

    /** {@code info NAME} of a held lock: {@code 200 held token=T holder=LABEL ...}. */
    static Status held(LockLine lock) {
        return new Status(OK_CODE, "held " + lock.attributes());
    }

    static Status ok(String text) {
        return new Status(OK_CODE, text);
    }

    static Status tooManyLocks(int maxPerSession) {
        return new Status(FORBIDDEN_CODE, "too many locks: at most " + maxPerSession + " per session");
    }

    static Status badRequest(String reason) {
        return new Status(BAD_REQUEST_CODE, reason);
    }

    /** {@code <code> <text>}, one line. */
    record Status(int code, String text) implements Reply {
        public Status {
            if (code < 100 || code > 999) {
                throw new IllegalArgumentException("a reply code has three digits: " + code);
            }
            Objects.requireNonNull(text, "text");
        }

        public boolean isOk() {
            return code == OK_CODE;
        }

        @Override
        public String toString() {
            return code + " " + text;
        }
    }

    /** {@code 200 STATS}, a {@code STAT name value} line per entry, then {@code END}. */
    record Stats(List<Stat> stats) implements Reply {
        public static final String HEADER = "STATS";
        public static final String END = "END";

        public Stats {
            stats = List.copyOf(stats);
        }
    }

    /** One {@code STAT name value} line; neither part contains whitespace. */
    record Stat(String name, String value) {
        public Stat {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(value, "value");
        }
    }

    /**
     * {@code 200 LOCKS}, a {@code LOCK name attributes} line per held lock, {@code TRUNCATED} if there were
     * more than the server lists, then {@code END}.
     */
    record Locks(List<LockLine> locks, boolean truncated) implements Reply {
        public static final String HEADER = "LOCKS";
        public static final String LINE = "LOCK";
        public static final String TRUNCATED = "TRUNCATED";
        public static final String END = "END";

        public Locks {
            locks = List.copyOf(locks);
        }
    }

    /**
     * A held lock as operators see it. {@code holder} is the holding session's label and {@code peer} the
     * address of its connection, each {@link #NONE} when there is none (no label set; the session is in
     * its grace period). No part contains whitespace.
     */
    record LockLine(String name, long token, String holder, String peer, long heldMillis, int waiters) {
        public static final String NONE = "-";

        public LockLine {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(holder, "holder");
            Objects.requireNonNull(peer, "peer");
        }

        /** {@code token=T holder=LABEL peer=ADDR:PORT held_ms=N waiters=W}. */
        public String attributes() {
            return "token=" + token + " holder=" + holder + " peer=" + peer + " held_ms=" + heldMillis
                    + " waiters=" + waiters;
        }
    }
}
