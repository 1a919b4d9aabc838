package io.deadbolt.client;

import io.deadbolt.protocol.Command;
import io.deadbolt.protocol.CommandType;
import io.deadbolt.protocol.Reply;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.io.IOException;
import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One per connection, last in its pipeline: keeps the requests written and not yet answered, in order,
 * and hands each reply to the oldest of them (the server answers in request order). When the connection
 * closes, every request still waiting fails. Only ever touched on the client's event loop.
 */
final class ReplyHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(ReplyHandler.class);

    private final ClientCore core;
    private final ArrayDeque<PendingRequest> pending = new ArrayDeque<>();
    private ChannelHandlerContext ctx;
    private boolean closed;
    /** The connection is ready for requests: TCP connected and, with TLS, its handshake done. */
    private boolean up;
    private Throwable closeCause;

    ReplyHandler(ClientCore core) {
        this.core = core;
    }

    /** For the reply decoder: the type of the request the next reply answers, null if none is pending. */
    CommandType nextReplyTo() {
        PendingRequest head = pending.peek();
        return head == null ? null : head.command().type();
    }

    /**
     * Writes the request (the caller flushes) and queues it for its reply. False, with nothing written,
     * once the connection has closed.
     */
    boolean send(PendingRequest request) {
        if (closed || ctx == null) {
            return false;
        }
        pending.add(request);
        if (pending.size() == 1) {
            request.becameHead(System.nanoTime());
        }
        ctx.write(request.command()).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        return true;
    }

    void flush() {
        if (!closed && ctx != null) {
            ctx.flush();
        }
    }

    boolean isIdle() {
        return pending.isEmpty();
    }

    /** Whether a lock request with a wait is unanswered: the server holds back every reply after it. */
    boolean mayBeHeldBackByALockWait() {
        for (PendingRequest request : pending) {
            if (request.waits()) {
                return true;
            }
        }
        return false;
    }

    boolean headOverdue(long nowNanos, long requestTimeoutNanos) {
        PendingRequest head = pending.peek();
        return head != null && head.overdue(nowNanos, requestTimeoutNanos);
    }

    /** Closes the connection, remembering why for the requests it fails and for the listener. */
    void close(Throwable cause) {
        if (closeCause == null) {
            closeCause = cause;
        }
        if (ctx != null) {
            ctx.close();
        }
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (ctx.pipeline().get(SslHandler.class) == null) {
            up = true;
            core.onConnected(this);
        }
        ctx.fireChannelActive();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof SslHandshakeCompletionEvent handshake) {
            if (handshake.isSuccess()) {
                up = true;
                core.onConnected(this);
            } else {
                close(new ConnectFailedException("TLS handshake with " + ctx.channel().remoteAddress() + " failed: "
                        + handshake.cause().getMessage(), handshake.cause()));
            }
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Reply reply = (Reply) msg;
        long now = System.nanoTime();
        core.onServerHeard(now);
        PendingRequest request = pending.poll();
        if (request == null) {
            close(new DeadboltException("the server sent a reply nobody asked for: " + reply));
            return;
        }
        PendingRequest next = pending.peek();
        if (next != null) {
            next.becameHead(now);
        }
        try {
            request.reply(reply);
        } catch (RuntimeException e) {
            log.error("failed to handle the reply {} to \"{}\"", reply, loggable(request.command()), e);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.flush();
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closed = true;
        DeadboltException failure = core.connectionFailure(closeCause);
        PendingRequest request;
        while ((request = pending.poll()) != null) {
            try {
                request.fail(failure);
            } catch (RuntimeException e) {
                log.error("failed to fail \"{}\"", loggable(request.command()), e);
            }
        }
        if (up) {
            core.onDisconnected(this, closeCause);
        } else {
            core.onConnectionFailedEarly(closeCause != null ? closeCause
                    : new ConnectionLostException("the server closed the connection during the TLS handshake"));
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException) {
            log.debug("connection to {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        } else if (cause instanceof DecoderException) {
            log.warn("closing the connection to {}: it does not speak the deadbolt protocol ({})",
                    ctx.channel().remoteAddress(), cause.getMessage());
        } else {
            log.warn("closing the connection to {} after an unexpected error", ctx.channel().remoteAddress(), cause);
        }
        close(cause);
    }

    /** A request's line, but never the password of an {@code auth}. */
    private static String loggable(Command command) {
        return command instanceof Command.Auth ? "auth ***" : command.toLine();
    }
}
