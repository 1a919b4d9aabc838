package io.deadbolt.server;

import io.deadbolt.protocol.ProtocolLimits;
import java.time.Duration;
import java.util.Objects;

/**
 * Everything a server is started with; the CLI maps its options into one of these.
 *
 * @param bindAddress    address to listen on
 * @param port           TCP port; 0 picks a free one
 * @param sessionTimeout default grace period of a session after its connection closes
 * @param maxWait        longest wait a {@code lock NAME WAIT} may ask for
 * @param maxTimeout     longest grace period a {@code set_timeout} may ask for
 * @param maxLineBytes   longest request line
 * @param ioThreads      event loop threads; 0 means one per available processor
 * @param memcachedPort  port of the read-only memcached-protocol stats listener; {@link #OFF} for none
 * @param httpPort       port of the HTTP listener ({@code /metrics}, {@code /healthz}); {@link #OFF} for none
 * @param maxList        most lines a {@code locks} reply lists
 */
public record ServerConfig(String bindAddress, int port, Duration sessionTimeout, Duration maxWait,
                           Duration maxTimeout, int maxLineBytes, int ioThreads, int memcachedPort,
                           int httpPort, int maxList) {
    public static final int DEFAULT_PORT = 11400;
    /** An optional listener's port when it is not wanted. */
    public static final int OFF = -1;
    public static final int DEFAULT_MAX_LIST = 1000;

    public ServerConfig {
        Objects.requireNonNull(bindAddress, "bindAddress");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0 to 65535: " + port);
        }
        requireNotNegative("session timeout", sessionTimeout);
        requireNotNegative("max wait", maxWait);
        requireNotNegative("max timeout", maxTimeout);
        if (sessionTimeout.compareTo(maxTimeout) > 0) {
            throw new IllegalArgumentException("session timeout " + sessionTimeout.toMillis()
                    + " ms is above max timeout " + maxTimeout.toMillis() + " ms");
        }
        if (ioThreads < 0) {
            throw new IllegalArgumentException("io threads must not be negative: " + ioThreads);
        }
        requireOptionalPort("memcached port", memcachedPort);
        requireOptionalPort("http port", httpPort);
        if (maxList < 1) {
            throw new IllegalArgumentException("max list must be at least 1: " + maxList);
        }
        limits(maxLineBytes, maxWait, maxTimeout);
    }

    public static ServerConfig defaults() {
        return new ServerConfig("127.0.0.1", DEFAULT_PORT, Duration.ofSeconds(30),
                Duration.ofMillis(ProtocolLimits.DEFAULT_MAX_WAIT_MILLIS),
                Duration.ofMillis(ProtocolLimits.DEFAULT_MAX_TIMEOUT_MILLIS),
                ProtocolLimits.DEFAULT_MAX_LINE_BYTES, 0, OFF, OFF, DEFAULT_MAX_LIST);
    }

    public ProtocolLimits limits() {
        return limits(maxLineBytes, maxWait, maxTimeout);
    }

    public ServerConfig withPort(int port) {
        return new ServerConfig(bindAddress, port, sessionTimeout, maxWait, maxTimeout, maxLineBytes, ioThreads,
                memcachedPort, httpPort, maxList);
    }

    public ServerConfig withSessionTimeout(Duration sessionTimeout) {
        return new ServerConfig(bindAddress, port, sessionTimeout, maxWait, maxTimeout, maxLineBytes, ioThreads,
                memcachedPort, httpPort, maxList);
    }

    public ServerConfig withMaxWait(Duration maxWait) {
        return new ServerConfig(bindAddress, port, sessionTimeout, maxWait, maxTimeout, maxLineBytes, ioThreads,
                memcachedPort, httpPort, maxList);
    }

    public ServerConfig withMaxTimeout(Duration maxTimeout) {
        return new ServerConfig(bindAddress, port, sessionTimeout, maxWait, maxTimeout, maxLineBytes, ioThreads,
                memcachedPort, httpPort, maxList);
    }

    public ServerConfig withMaxLineBytes(int maxLineBytes) {
        return new ServerConfig(bindAddress, port, sessionTimeout, maxWait, maxTimeout, maxLineBytes, ioThreads,
                memcachedPort, httpPort, maxList);
    }

    public ServerConfig withMemcachedPort(int memcachedPort) {
        return new ServerConfig(bindAddress, port, sessionTimeout, maxWait, maxTimeout, maxLineBytes, ioThreads,
                memcachedPort, httpPort, maxList);
    }

    public ServerConfig withHttpPort(int httpPort) {
        return new ServerConfig(bindAddress, port, sessionTimeout, maxWait, maxTimeout, maxLineBytes, ioThreads,
                memcachedPort, httpPort, maxList);
    }

    public ServerConfig withMaxList(int maxList) {
        return new ServerConfig(bindAddress, port, sessionTimeout, maxWait, maxTimeout, maxLineBytes, ioThreads,
                memcachedPort, httpPort, maxList);
    }

    private static void requireOptionalPort(String what, int port) {
        if (port != OFF && (port < 0 || port > 65535)) {
            throw new IllegalArgumentException(what + " must be 0 to 65535: " + port);
        }
    }

    private static ProtocolLimits limits(int maxLineBytes, Duration maxWait, Duration maxTimeout) {
        return new ProtocolLimits(maxLineBytes, maxWait.toMillis(), maxTimeout.toMillis());
    }

    private static void requireNotNegative(String what, Duration value) {
        Objects.requireNonNull(value, what);
        if (value.isNegative()) {
            throw new IllegalArgumentException(what + " must not be negative: " + value);
        }
    }
}
