package io.deadbolt.server.net;

import io.deadbolt.server.stats.ServerStats;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;

/** Counts bytes in and out at the bottom of the pipeline, for {@code bytes_read}/{@code bytes_written}. */
@ChannelHandler.Sharable
final class TrafficCounter extends ChannelDuplexHandler {
    private final ServerStats stats;

    TrafficCounter(ServerStats stats) {
        this.stats = stats;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf buf) {
            stats.read(buf.readableBytes());
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof ByteBuf buf) {
            stats.written(buf.readableBytes());
        }
        ctx.write(msg, promise);
    }
}
