package io.deadbolt.server.net;

import io.deadbolt.protocol.Request;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ScheduledFuture;

/**
 * {@code --max-line-time}: a request line that was begun but not finished within the limit is put in
 * the request stream as a {@link Request.LineTimeout} where the line stands, so that it is answered in
 * order ({@code 408 request timed out}) and the connection closed. Sits below the request decoder and
 * watches the bytes: only a connection with an unfinished line is timed; an idle connection, with
 * nothing unfinished, is never closed (elock clients keep idle connections open for hours). The time
 * runs from the first byte of the line, so a client cannot keep a line open by trickling it out.
 * Not sharable: it keeps its connection's state.
 */
final class LineDeadline extends ChannelInboundHandlerAdapter {
    private final long limitMillis;
    private boolean unfinished;
    private boolean expired;
    private ScheduledFuture<?> timer;

    LineDeadline(long limitMillis) {
        this.limitMillis = limitMillis;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf bytes && bytes.isReadable() && !expired) {
            track(ctx, bytes);
        }
        ctx.fireChannelRead(msg);
    }

    private void track(ChannelHandlerContext ctx, ByteBuf bytes) {
        int end = bytes.writerIndex();
        if (bytes.getByte(end - 1) == '\n') {
            unfinished = false;
            cancelTimer();
        } else if (!unfinished || bytes.indexOf(bytes.readerIndex(), end, (byte) '\n') >= 0) {
            // A new line begins in these bytes; one that merely continues keeps the time it started with.
            unfinished = true;
            startTimer(ctx);
        }
    }

    private void startTimer(ChannelHandlerContext ctx) {
        cancelTimer();
        timer = ctx.executor().schedule(() -> lineDue(ctx), limitMillis, TimeUnit.MILLISECONDS);
    }

    private void lineDue(ChannelHandlerContext ctx) {
        timer = null;
        if (!unfinished || !ctx.channel().isActive()) {
            return;
        }
        if (!ctx.channel().config().isAutoRead()) {
            // The server has stopped reading this connection (back-pressure): the rest of the line may be
            // waiting in the socket, so the client is not the one stalling. Give it the time again.
            startTimer(ctx);
            return;
        }
        expired = true;
        ctx.fireChannelRead(new Request.LineTimeout(limitMillis));
        ctx.fireChannelReadComplete();
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancelTimer();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancelTimer();
        ctx.fireChannelInactive();
    }
}
