package io.deadbolt.it.support;

import io.deadbolt.server.ServerConfig;
import io.deadbolt.server.TransportChoice;
import io.deadbolt.server.net.NettyServer;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.uring.IoUring;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Assumptions;

/** A real deadbolt server on 127.0.0.1 and a free port, for one test class or one test. */
public final class TestServer implements AutoCloseable {
    /**
     * What the suite's servers run on: {@code auto} unless {@code -Ddeadbolt.it.transport=epoll} (or
     * {@code io_uring}, {@code nio}) asks for another, as .ci/run does to cover what machines without
     * io_uring get.
     */
    private static final TransportChoice SUITE_TRANSPORT =
            TransportChoice.parse(System.getProperty("deadbolt.it.transport", "auto"));

    private final NettyServer server;
    private final List<TextConnection> connections = new ArrayList<>();

    private TestServer(ServerConfig config) {
        try {
            server = NettyServer.start(config);
        } catch (NettyServer.StartException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Defaults, but on a free port and with a short default grace period (2 s). */
    public static TestServer start() {
        return start(UnaryOperator.identity());
    }

    /** Like {@link #start()}, with the options {@code customise} sets on the builder. */
    public static TestServer start(UnaryOperator<ServerConfig.Builder> customise) {
        ServerConfig.Builder config = ServerConfig.builder().port(0).sessionTimeout(Duration.ofSeconds(2))
                .transport(SUITE_TRANSPORT);
        return new TestServer(customise.apply(config).build());
    }

    /** Whether this machine offers {@code transport}; NIO it always does. */
    public static boolean isAvailable(TransportChoice transport) {
        return switch (transport) {
            case IO_URING -> IoUring.isAvailable();
            case EPOLL -> Epoll.isAvailable();
            case NIO, AUTO -> true;
        };
    }

    /**
     * Like {@link #start(UnaryOperator)}, on {@code transport}; skips the test where this machine lacks it
     * (TransportsTest checks that such a start is refused with the reason).
     */
    public static TestServer startOn(TransportChoice transport, UnaryOperator<ServerConfig.Builder> customise) {
        Assumptions.assumeTrue(isAvailable(transport), transport.label() + " is not available on this machine");
        return start(config -> customise.apply(config.transport(transport)));
    }

    public int port() {
        return server.address().getPort();
    }

    public String host() {
        return server.address().getAddress().getHostAddress();
    }

    public NettyServer server() {
        return server;
    }

    /** A new raw text connection to this server; {@link #close()} closes it if the test did not. */
    public TextConnection connect() {
        try {
            TextConnection connection = TextConnection.open(host(), port());
            synchronized (connections) {
                connections.add(connection);
            }
            return connection;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        synchronized (connections) {
            connections.forEach(TextConnection::close);
        }
        server.close();
    }
}
