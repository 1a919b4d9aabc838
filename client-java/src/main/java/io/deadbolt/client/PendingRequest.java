package io.deadbolt.client;

import io.deadbolt.protocol.Command;
import io.deadbolt.protocol.Reply;
import java.util.function.Consumer;

/**
 * A request written to the connection and not answered yet. Exactly one of its two callbacks runs, on
 * the event loop: with the reply, or with the reason the reply will never come.
 */
final class PendingRequest {
    private final Command command;
    private final long waitNanos;
    private final Consumer<Reply> onReply;
    private final Consumer<DeadboltException> onFailure;
    /** When the request became the oldest unanswered one; the server has been working on it since. */
    private long headSinceNanos;

    PendingRequest(Command command, long waitMillis, Consumer<Reply> onReply, Consumer<DeadboltException> onFailure) {
        this.command = command;
        this.waitNanos = waitMillis * 1_000_000L;
        this.onReply = onReply;
        this.onFailure = onFailure;
    }

    Command command() {
        return command;
    }

    /** A lock request that may wait on the server. */
    boolean waits() {
        return command instanceof Command.Lock && waitNanos > 0;
    }

    void becameHead(long nowNanos) {
        headSinceNanos = nowNanos;
    }

    /** A reply is overdue once the server had the request's own wait plus the request timeout for it. */
    boolean overdue(long nowNanos, long requestTimeoutNanos) {
        return nowNanos - headSinceNanos > saturatedAdd(waitNanos, requestTimeoutNanos);
    }

    void reply(Reply reply) {
        onReply.accept(reply);
    }

    void fail(DeadboltException cause) {
        onFailure.accept(cause);
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return sum < 0 ? Long.MAX_VALUE : sum;
    }
}
