package io.deadbolt.server.net;

import io.deadbolt.protocol.ProtocolLimits;
import io.deadbolt.protocol.Reply;
import io.deadbolt.protocol.ReplyEncoder;
import io.deadbolt.protocol.RequestDecoder;
import io.deadbolt.server.LockService;
import io.deadbolt.server.ServerConfig;
import io.deadbolt.server.Version;
import io.deadbolt.server.metrics.DeadboltMetrics;
import io.deadbolt.server.net.http.MonitoringHttpHandler;
import io.deadbolt.server.net.memcached.MemcachedStatsHandler;
import io.deadbolt.server.stats.ServerStats;
import io.deadbolt.server.stats.SettingsReport;
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
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** The listening socket and its event loops: accepts connections and builds each one's pipeline. */
public final class NettyServer implements AutoCloseable {
    private final Transport transport = Transport.best();
    private final EventLoopGroup group;
    private final ChannelGroup channels = new DefaultChannelGroup("deadbolt", GlobalEventExecutor.INSTANCE);
    private final Channel serverChannel;
    private final LockService locks;
    private final ServerConfig config;
    private final int threads;
    /** The optional listeners; null when off. */
    private final Channel memcachedChannel;
    private final Channel httpChannel;
    private volatile boolean shuttingDown;

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
                                new ConnectionHandler(locks, serverStats, statsReport, config.maxList()));
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
        this.config = config;
        this.threads = threads;
        try {
            if (config.memcachedPort() == ServerConfig.OFF) {
                memcachedChannel = null;
            } else {
                memcachedChannel = listen(config.memcachedPort(), "memcached stats",
                        ch -> ch.pipeline().addLast(MemcachedStatsHandler.frameDecoder(),
                                new MemcachedStatsHandler(statsReport::stats, this::settings, Version.get())));
            }
            if (config.httpPort() == ServerConfig.OFF) {
                httpChannel = null;
            } else {
                DeadboltMetrics metrics = new DeadboltMetrics(locks, serverStats);
                locks.recordTimingsIn(metrics.timings());
                MonitoringHttpHandler http = new MonitoringHttpHandler(metrics, this::isShuttingDown);
                httpChannel = listen(config.httpPort(), "http", ch -> http.addTo(ch.pipeline()));
            }
        } catch (StartException | RuntimeException e) {
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).syncUninterruptibly();
            throw e;
        }
    }

    /**
     * Binds an optional listener on the main port's address and event loops. If it cannot, the server
     * does not start: an operator who asked for it would rather know at once.
     */
    private Channel listen(int port, String what, Consumer<Channel> pipeline) throws StartException {
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channel(transport.serverChannel())
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        channels.add(ch);
                        pipeline.accept(ch);
                    }
                });
        try {
            return bootstrap.bind(new InetSocketAddress(config.bindAddress(), port)).sync().channel();
        } catch (Exception e) {
            throw new StartException("cannot listen on " + config.bindAddress() + ":" + port + " (" + what + "): "
                    + (e.getMessage() != null ? e.getMessage() : e.toString()), e);
        }
    }

    /** The effective configuration, for {@code stats settings} on the memcached port. */
    private List<Reply.Stat> settings() {
        return SettingsReport.of(config, address().getPort(),
                memcachedAddress().map(InetSocketAddress::getPort).orElse(ServerConfig.OFF),
                httpAddress().map(InetSocketAddress::getPort).orElse(ServerConfig.OFF), transport.label(), threads);
    }

    /** Binds and starts serving; throws {@link StartException} if the address cannot be bound. */
    public static NettyServer start(ServerConfig config) throws StartException {
        return new NettyServer(config);
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) serverChannel.localAddress();
    }

    /** Where the memcached-protocol stats listener listens, if it is on. */
    public Optional<InetSocketAddress> memcachedAddress() {
        return memcachedChannel == null ? Optional.empty()
                : Optional.of((InetSocketAddress) memcachedChannel.localAddress());
    }

    /** Where the HTTP listener ({@code /metrics}, {@code /healthz}) listens, if it is on. */
    public Optional<InetSocketAddress> httpAddress() {
        return httpChannel == null ? Optional.empty() : Optional.of((InetSocketAddress) httpChannel.localAddress());
    }

    public String transportName() {
        return transport.label();
    }

    public LockService locks() {
        return locks;
    }

    /**
     * The first step of {@link #close()}: {@code /healthz} answers 503 from now on and the lock protocol
     * port stops accepting connections. The monitoring listeners go on until {@link #close()}.
     */
    public void beginShutdown() {
        shuttingDown = true;
        serverChannel.close().syncUninterruptibly();
    }

    public boolean isShuttingDown() {
        return shuttingDown;
    }

    /** Stops accepting, closes every connection and stops the event loops; returns when they have. */
    @Override
    public void close() {
        beginShutdown();
        for (Channel listener : new Channel[] {memcachedChannel, httpChannel}) {
            if (listener != null) {
                listener.close().syncUninterruptibly();
            }
        }
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
