package io.deadbolt.protocol;

/**
 * What the request decoder makes of one non-blank line: a well-formed {@link Command}, or a line the
 * server must refuse. Refusals are values, not exceptions, so a bad line never kills the connection.
 */
public sealed interface Request permits Command, Request.Invalid, Request.LineTooLong, Request.LineTimeout {

    /** A line that was read whole but is not a valid command; answered with {@code 400 reason}. */
    record Invalid(String reason) implements Request {
        public Reply reply() {
            return Reply.badRequest(reason);
        }
    }

    /**
     * A line longer than the configured limit. It is answered {@code 400 line too long} and the
     * connection is closed, because the server cannot tell where the next request starts.
     */
    record LineTooLong(int limit) implements Request {
        public Reply reply() {
            return Reply.LINE_TOO_LONG;
        }
    }

    /**
     * A line that was begun but not finished within the server's time for one line: the client sent
     * part of a request and stalled. Put in the request stream where the unfinished line stands, so it
     * is answered in order, with {@code 408 request timed out}; then the connection is closed.
     */
    record LineTimeout(long limitMillis) implements Request {
        public Reply reply() {
            return Reply.REQUEST_TIMED_OUT;
        }
    }
}
