package io.deadbolt.it.support;

import io.deadbolt.server.ServerConfig;
import io.deadbolt.server.net.NettyServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/** A real deadbolt server on 127.0.0.1 and a free port, for one test class or one test. */
public final class TestServer implements AutoCloseable {
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
        ServerConfig.Builder config = ServerConfig.builder().port(0).sessionTimeout(Duration.ofSeconds(2));
        return new TestServer(customise.apply(config).build());
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
