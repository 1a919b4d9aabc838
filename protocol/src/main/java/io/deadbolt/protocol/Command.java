package io.deadbolt.protocol;

import java.util.Objects;

/**
 * A well-formed request, one record per command of the wire protocol. The server receives these from
 * {@link RequestDecoder}; the client writes them with {@link CommandEncoder}.
 */
public sealed interface Command extends Request {

    CommandType type();

    /** The request as it goes on the wire, without the line ending. */
    String toLine();

    /** {@code lock NAME [WAIT]}: take NAME, waiting up to {@code waitMillis} (0: do not wait). */
    record Lock(String name, long waitMillis) implements Command {
        public Lock {
            Objects.requireNonNull(name, "name");
            if (waitMillis < 0) {
                throw new IllegalArgumentException("waitMillis must not be negative: " + waitMillis);
            }
        }

        @Override
        public CommandType type() {
            return CommandType.LOCK;
        }

        @Override
        public String toLine() {
            if (waitMillis == 0) {
                return "lock " + name;
            }
            return "lock " + name + " " + WaitSeconds.format(waitMillis);
        }
    }

    /** {@code unlock NAME}. */
    record Unlock(String name) implements Command {
        public Unlock {
            Objects.requireNonNull(name, "name");
        }

        @Override
        public CommandType type() {
            return CommandType.UNLOCK;
        }

        @Override
        public String toLine() {
            return "unlock " + name;
        }
    }

    /** {@code unlock_all}: release every lock of the session. */
    record UnlockAll() implements Command {
        @Override
        public CommandType type() {
            return CommandType.UNLOCK_ALL;
        }

        @Override
        public String toLine() {
            return "unlock_all";
        }
    }

    /** {@code conn_id}: ask for this connection's session id. */
    record GetConnId() implements Command {
        @Override
        public CommandType type() {
            return CommandType.CONN_ID;
        }

        @Override
        public String toLine() {
            return "conn_id";
        }
    }

    /** {@code conn_id ID}: attach this connection to session ID (resume, or start it). */
    record SetConnId(String id) implements Command {
        public SetConnId {
            Objects.requireNonNull(id, "id");
        }

        @Override
        public CommandType type() {
            return CommandType.CONN_ID;
        }

        @Override
        public String toLine() {
            return "conn_id " + id;
        }
    }

    /** {@code set_timeout MS}: this session's disconnect grace period. */
    record SetTimeout(long millis) implements Command {
        public SetTimeout {
            if (millis < 0) {
                throw new IllegalArgumentException("millis must not be negative: " + millis);
            }
        }

        @Override
        public CommandType type() {
            return CommandType.SET_TIMEOUT;
        }

        @Override
        public String toLine() {
            return "set_timeout " + millis;
        }
    }

    /** {@code stats}. */
    record Stats() implements Command {
        @Override
        public CommandType type() {
            return CommandType.STATS;
        }

        @Override
        public String toLine() {
            return "stats";
        }
    }

    /** {@code quit}: the server answers, then closes the connection. */
    record Quit() implements Command {
        @Override
        public CommandType type() {
            return CommandType.QUIT;
        }

        @Override
        public String toLine() {
            return "quit";
        }
    }

    /** {@code echo ARGS...}: the arguments come back joined by single spaces. */
    record Echo(String text) implements Command {
        public Echo {
            Objects.requireNonNull(text, "text");
        }

        @Override
        public CommandType type() {
            return CommandType.ECHO;
        }

        @Override
        public String toLine() {
            return "echo " + text;
        }
    }

    /** {@code set_name LABEL}: names this session for operators, in {@code info} and {@code locks}. */
    record SetName(String label) implements Command {
        public SetName {
            Objects.requireNonNull(label, "label");
        }

        @Override
        public CommandType type() {
            return CommandType.SET_NAME;
        }

        @Override
        public String toLine() {
            return "set_name " + label;
        }
    }

    /** {@code info NAME}: who holds NAME, since when, and how many wait for it. */
    record Info(String name) implements Command {
        public Info {
            Objects.requireNonNull(name, "name");
        }

        @Override
        public CommandType type() {
            return CommandType.INFO;
        }

        @Override
        public String toLine() {
            return "info " + name;
        }
    }

    /** {@code locks [PREFIX]}: the held locks whose names start with {@code prefix} (empty: all of them). */
    record Locks(String prefix) implements Command {
        public Locks {
            Objects.requireNonNull(prefix, "prefix");
        }

        @Override
        public CommandType type() {
            return CommandType.LOCKS;
        }

        @Override
        public String toLine() {
            return prefix.isEmpty() ? "locks" : "locks " + prefix;
        }
    }

    /**
     * {@code auth PASSWORD}: prove that this connection may use a server started with a password. The
     * password is one token, so it has no spaces or tabs.
     */
    record Auth(String password) implements Command {
        public Auth {
            Objects.requireNonNull(password, "password");
        }

        @Override
        public CommandType type() {
            return CommandType.AUTH;
        }

        @Override
        public String toLine() {
            return "auth " + password;
        }

        /** Never the password itself: a request may end up in a log or an assertion message. */
        @Override
        public String toString() {
            return "Auth[password=***]";
        }
    }
}
