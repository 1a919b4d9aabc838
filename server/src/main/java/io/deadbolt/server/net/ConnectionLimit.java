package io.deadbolt.server.net;

import io.deadbolt.protocol.Reply;
import io.deadbolt.server.stats.ServerStats;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code --max-connections}: counts open connections, and turns away the one over the limit with
 * {@code 503 too many connections} rather than letting the process run out of file descriptors, when
 * accepting fails for every client alike.
 */
final class ConnectionLimit {
    private static final Logger log = LoggerFactory.getLogger(ConnectionLimit.class);
    /** Descriptors the rest of the process needs: the listener, epoll, jars, logs. */
    private static final long RESERVED_FILES = 64;

    private final int max;
    private final ServerStats stats;
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicBoolean reachedLogged = new AtomicBoolean();

    ConnectionLimit(int max, ServerStats stats) {
        this.max = max;
        this.stats = stats;
    }

    /** Takes a place for the channel, given back when it closes; false, and counted, if none is free. */
    boolean admit(Channel channel) {
        int current;
        do {
            current = open.get();
            if (current >= max) {
                stats.connectionRejected();
                if (reachedLogged.compareAndSet(false, true)) {
                    log.warn("reached the limit of {} open connections (--max-connections): new ones are "
                            + "answered '503 too many connections'; rejected_connections in stats counts them", max);
                } else {
                    log.debug("refused a connection from {}: {} are open", channel.remoteAddress(), max);
                }
                return false;
            }
        } while (!open.compareAndSet(current, current + 1));
        channel.closeFuture().addListener(closed -> open.decrementAndGet());
        return true;
    }

    /** Warns when the process's open-file limit is too low for {@code max} connections. */
    static void warnIfAboveFileLimit(int max) {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean os) {
            long files = os.getMaxFileDescriptorCount();
            if (files - RESERVED_FILES < max) {
                log.warn("--max-connections is {} but the open-file limit is {}: past about {} connections, "
                        + "accepting fails for everyone. Raise the limit (ulimit -n) or lower --max-connections.",
                        max, files, Math.max(0, files - RESERVED_FILES));
            }
        }
    }

    /** The whole application side of a turned-away connection: it is told why, then closed. */
    @ChannelHandler.Sharable
    static final class Refuse extends ChannelInboundHandlerAdapter {
        static final Refuse INSTANCE = new Refuse();

        private Refuse() {
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            // Under TLS the reply waits in the TLS handler until the handshake is done.
            ctx.writeAndFlush(Reply.TOO_MANY_CONNECTIONS).addListener(ChannelFutureListener.CLOSE);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
        }

        /**
         * The client has ended its side (a TCP health check, say). Under TLS with no handshake done, the
         * reply waits for a handshake the client can no longer finish: close now, not at the handshake
         * timeout. Otherwise the reply is on its way, and the close after it.
         */
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
            if (event instanceof ChannelInputShutdownEvent) {
                SslHandler tls = ctx.pipeline().get(SslHandler.class);
                if (tls != null && !tls.handshakeFuture().isDone()) {
                    ctx.close();
                }
            }
            ctx.fireUserEventTriggered(event);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            log.debug("turned-away connection from {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
            ctx.close();
        }
    }
}
