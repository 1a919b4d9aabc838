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
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/** The listening socket and its event loops: accepts connections and builds each one's pipeline. */
public final class NettyServer implements AutoCloseable {
    /**
     * Replies a connection may have waiting for its socket before the server stops running its requests
     * and reading from it (Netty's defaults, stated here because the back-pressure depends on them).
     */
    static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(32 * 1024, 64 * 1024);
    /** How long a stop waits for clients to take their last replies and close before it closes them anyway. */
    static final Duration STOP_FLUSH_TIMEOUT = Duration.ofSeconds(2);

    private final Transport transport;
    private final EventLoopGroup group;
    private final ChannelGroup channels = new DefaultChannelGroup("deadbolt", GlobalEventExecutor.INSTANCE);
    private final Channel serverChannel;
    private final LockService locks;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final ServerConfig config;
    private final int threads;
    /** The optional listeners; null when off. */
    private final Channel memcachedChannel;
    private final Channel httpChannel;
    private volatile boolean shuttingDown;

    private NettyServer(ServerConfig config) throws StartException {
        try {
            transport = Transport.forChoice(config.transport());
        } catch (IllegalStateException e) {
            throw new StartException(e.getMessage(), e);
        }
        Authenticator authenticator = authenticator(config);
        SslContext tls = tls(config);
        int threads = config.effectiveIoThreads();
        group = new MultiThreadIoEventLoopGroup(threads, transport.ioHandlerFactory());
        locks = new LockService(LockService.tokenFloorFromWallClock(), config.sessionTimeout().toMillis(),
                () -> System.nanoTime() / 1_000_000, group.next(), config.lockLimits());
        ServerStats serverStats = new ServerStats();
        StatsReport statsReport = new StatsReport(locks, serverStats, threads);
        TrafficCounter trafficCounter = new TrafficCounter(serverStats);
        ProtocolLimits limits = config.limits();
        ConnectionLimit connectionLimit = new ConnectionLimit(config.maxConnections(), serverStats);
        ConnectionLimit.warnIfAboveFileLimit(config.maxConnections());
        long maxLineTimeMillis = config.maxLineTime().toMillis();
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
                // The handler closes a half-closed connection itself, after its last replies.
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        channels.add(ch);
                        ch.pipeline().addLast(trafficCounter);
                        if (tls != null) {
                            ch.pipeline().addLast(tls.newHandler(ch.alloc()));
                        }
                        if (!connectionLimit.admit(ch)) {
                            ch.pipeline().addLast(ReplyEncoder.INSTANCE, ConnectionLimit.Refuse.INSTANCE);
                            return;
                        }
                        if (maxLineTimeMillis > 0) {
                            ch.pipeline().addLast(new LineDeadline(maxLineTimeMillis));
                        }
                        ch.pipeline().addLast(
                                new RequestDecoder(limits),
                                ReplyEncoder.INSTANCE,
                                new ConnectionHandler(locks, serverStats, statsReport, authenticator,
                                        config.maxList()));
                    }
                });
        InetSocketAddress address = new InetSocketAddress(config.bindAddress(), config.port());
        try {
            serverChannel = bootstrap.bind(address).sync().channel();
        } catch (Exception e) {
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).syncUninterruptibly();
            throw new StartException("cannot listen on " + config.bindAddress() + ":" + config.port() + ": "
                    + reason(e), e);
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
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        channels.add(ch);
                        pipeline.accept(ch);
                        ch.pipeline().addLast(CloseWhenInputEnds.INSTANCE);
                    }
                });
        try {
            return bootstrap.bind(new InetSocketAddress(config.bindAddress(), port)).sync().channel();
        } catch (Exception e) {
            throw new StartException("cannot listen on " + config.bindAddress() + ":" + port + " (" + what + "): "
                    + reason(e), e);
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
     * Reply bytes written to connections and not yet taken by their sockets, over all connections: what
     * clients that do not read cost the server.
     */
    public long pendingWriteBytes() {
        long pending = 0;
        for (Channel channel : channels) {
            ChannelOutboundBuffer buffer = channel.unsafe().outboundBuffer();
            if (buffer != null) {
                pending += buffer.totalPendingWriteBytes();
            }
        }
        return pending;
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

    /**
     * Stops accepting; then every lock-protocol connection answers its pending wait {@code 503 shutting
     * down}, flushes, and ends its side: the client reads every reply and then the end of the stream, and
     * the connection closes when the client closes its own side. Connections still open after
     * {@link #STOP_FLUSH_TIMEOUT} (a client that does not read, or does not close) are closed anyway.
     * Monitoring connections are closed at once. Stops the event loops; returns when they have, within a
     * few seconds at most.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        beginShutdown();
        for (Channel listener : new Channel[] {memcachedChannel, httpChannel}) {
            if (listener != null) {
                listener.close().syncUninterruptibly();
            }
        }
        for (Channel channel : channels) {
            if (channel.pipeline().get(ConnectionHandler.class) != null) {
                channel.pipeline().fireUserEventTriggered(ServerStopping.INSTANCE);
            } else {
                channel.close();
            }
        }
        channels.newCloseFuture().awaitUninterruptibly(STOP_FLUSH_TIMEOUT.toMillis());
        channels.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
    }

    private static Authenticator authenticator(ServerConfig config) throws StartException {
        if (config.passwordFile() == null) {
            return Authenticator.NONE;
        }
        try {
            return Authenticator.fromFile(config.passwordFile());
        } catch (Exception e) {
            throw new StartException("cannot read the password file " + config.passwordFile() + ": " + reason(e), e);
        }
    }

    private static SslContext tls(ServerConfig config) throws StartException {
        if (config.tlsCert() == null) {
            return null;
        }
        try {
            // The JDK's TLS: no native library to ship, and fast enough for one short line per request.
            return SslContextBuilder.forServer(config.tlsCert().toFile(), config.tlsKey().toFile())
                    .sslProvider(SslProvider.JDK)
                    .build();
        } catch (Exception e) {
            throw new StartException("cannot load the TLS certificate " + config.tlsCert() + " and key "
                    + config.tlsKey() + ": " + reason(e), e);
        }
    }

    private static String reason(Exception e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getMessage() == null) {
            cause = cause.getCause();
        }
        return cause.getMessage() != null ? cause.getMessage() : cause.toString();
    }

    /** The server could not start: the message says why, for an operator. */
    public static final class StartException extends Exception {
        StartException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
