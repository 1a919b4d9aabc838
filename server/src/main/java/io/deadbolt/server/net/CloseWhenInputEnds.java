package io.deadbolt.server.net;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;

/**
 * Last in the monitoring listeners' pipelines (which allow half-closure): when the client ends its side,
 * as {@code printf 'stats\r\n' | nc -N} does, closes once the answers already written are flushed. Netty's
 * own close at the end of input does not wait for them, and on io_uring, which completes writes later,
 * it lost the answer to most such scrapes.
 */
@ChannelHandler.Sharable
final class CloseWhenInputEnds extends ChannelInboundHandlerAdapter {
    static final CloseWhenInputEnds INSTANCE = new CloseWhenInputEnds();

    private CloseWhenInputEnds() {
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof ChannelInputShutdownEvent) {
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
        ctx.fireUserEventTriggered(event);
    }
}
