package io.deadbolt.protocol;

/**
 * What the request decoder makes of one non-blank line: a well-formed {@link Command}, or a line the
 * server must refuse. Refusals are values, not exceptions, so a bad line never kills the connection.
 */
public sealed interface Request permits Command, Request.Invalid, Request.LineTooLong {

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
}
