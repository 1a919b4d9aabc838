package io.deadbolt.server.net;

import io.deadbolt.protocol.ProtocolLimits;
import io.deadbolt.protocol.ReplyEncoder;
import io.deadbolt.protocol.RequestDecoder;
import io.deadbolt.server.LockService;
import io.deadbolt.server.ServerConfig;
import io.deadbolt.server.stats.ServerStats;
import io.deadbolt.server.stats.StatsReport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/** The listening socket and its event loops: accepts connections and builds each one's pipeline. */
public final class NettyServer implements AutoCloseable {
    private final Transport transport = Transport.best();
    private final EventLoopGroup group;
    private final ChannelGroup channels = new DefaultChannelGroup("deadbolt", GlobalEventExecutor.INSTANCE);
    private final Channel serverChannel;
    private final LockService locks;

    private NettyServer(ServerConfig config) throws StartException {
        int threads = config.ioThreads() > 0 ? config.ioThreads() : Runtime.getRuntime().availableProcessors();
        group = new MultiThreadIoEventLoopGroup(threads, transport.ioHandlerFactory());
        locks = new LockService(LockService.tokenFloorFromWallClock(), config.sessionTimeout().toMillis(),
                () -> System.nanoTime() / 1_000_000, group.next());
        ServerStats serverStats = new ServerStats();
        StatsReport statsReport = new StatsReport(locks, serverStats, threads);
        TrafficCounter trafficCounter = new TrafficCounter(serverStats);
        ProtocolLimits limits = config.limits();
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        channels.add(ch);
                        ch.pipeline().addLast(
                                trafficCounter,
                                new RequestDecoder(limits),
                                ReplyEncoder.INSTANCE,
                                new ConnectionHandler(locks, serverStats, statsReport));
                    }
                });
        InetSocketAddress address = new InetSocketAddress(config.bindAddress(), config.port());
        try {
            serverChannel = bootstrap.bind(address).sync().channel();
        } catch (Exception e) {
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).syncUninterruptibly();
            throw new StartException("cannot listen on " + config.bindAddress() + ":" + config.port() + ": "
                    + (e.getMessage() != null ? e.getMessage() : e.toString()), e);
        }
    }

    /** Binds and starts serving; throws {@link StartException} if the address cannot be bound. */
    public static NettyServer start(ServerConfig config) throws StartException {
        return new NettyServer(config);
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) serverChannel.localAddress();
    }

    public String transportName() {
        return transport.label();
    }

    public LockService locks() {
        return locks;
    }

    /** Stops accepting, closes every connection and stops the event loops; returns when they have. */
    @Override
    public void close() {
        serverChannel.close().syncUninterruptibly();
        channels.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
    }

    /** The server could not start: the message says why, for an operator. */
    public static final class StartException extends Exception {
        StartException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
