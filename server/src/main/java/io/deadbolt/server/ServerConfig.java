package io.deadbolt.server;

import io.deadbolt.protocol.ProtocolLimits;
import io.deadbolt.server.lock.LockTable;
import java.nio.file.Path;
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
 * @param ioThreads      event loop threads; 0 means {@link #defaultIoThreads(int) half the processors}
 * @param maxConnections open connections at most; one more is answered {@code 503 too many connections}
 *                       and closed
 * @param maxLocksPerSession locks one session may hold at once
 * @param maxSessionsInGrace sessions in their grace period at most; one more ends the grace that would
 *                       end soonest
 * @param maxLineTime    longest a request line may stay unfinished; {@link Duration#ZERO} for no limit
 * @param passwordFile   file whose first line is the password clients must give with {@code auth};
 *                       null for none
 * @param tlsCert        PEM certificate chain for TLS; null, with {@code tlsKey}, for plain TCP
 * @param tlsKey         PEM private key (PKCS#8) of {@code tlsCert}
 * @param memcachedPort  port of the read-only memcached-protocol stats listener; {@link #OFF} for none
 * @param httpPort       port of the HTTP listener ({@code /metrics}, {@code /healthz}); {@link #OFF} for none
 * @param maxList        most lines a {@code locks} reply lists
 */
public record ServerConfig(String bindAddress, int port, Duration sessionTimeout, Duration maxWait,
                           Duration maxTimeout, int maxLineBytes, int ioThreads, int maxConnections,
                           int maxLocksPerSession, int maxSessionsInGrace, Duration maxLineTime,
                           Path passwordFile, Path tlsCert, Path tlsKey, int memcachedPort, int httpPort,
                           int maxList) {
    public static final int DEFAULT_PORT = 11400;
    /** An optional listener's port when it is not wanted. */
    public static final int OFF = -1;
    public static final int DEFAULT_MAX_LIST = 1000;
    /**
     * Well below the open-file limit of a typical server (65536 or more), leaving room for the rest of
     * the process; a server under a lower limit warns at start (see ConnectionLimit).
     */
    public static final int DEFAULT_MAX_CONNECTIONS = 10_000;
    /** At about 300 bytes a lock, one session can take a few MB at most. */
    public static final int DEFAULT_MAX_LOCKS_PER_SESSION = 10_000;
    /** As many as the connection limit, so that a network blip that drops every client loses no lock. */
    public static final int DEFAULT_MAX_SESSIONS_IN_GRACE = 10_000;
    public static final Duration DEFAULT_MAX_LINE_TIME = Duration.ofSeconds(30);

    /**
     * Event loops when none are asked for: half the processors, at least one. A request costs the server
     * far more in the kernel (TCP, wake-ups) than in its loop, and every lock operation goes through one
     * monitor, so loops beyond that buy little and take cores from the kernel's network work, the JVM's
     * collector and compiler, and clients on the same host. On 2 cores one loop served 1.4x the
     * uncontended requests of two, at less CPU each (docs/performance.md); Redis, single-threaded, makes
     * the same trade.
     */
    public static int defaultIoThreads(int processors) {
        return Math.max(1, processors / 2);
    }

    /** The event loops this configuration asks for on this machine. */
    public int effectiveIoThreads() {
        return ioThreads > 0 ? ioThreads : defaultIoThreads(Runtime.getRuntime().availableProcessors());
    }

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
        if (maxConnections < 1) {
            throw new IllegalArgumentException("max connections must be at least 1: " + maxConnections);
        }
        new LockTable.Limits(maxLocksPerSession, maxSessionsInGrace);
        requireNotNegative("max line time", maxLineTime);
        if ((tlsCert == null) != (tlsKey == null)) {
            throw new IllegalArgumentException("TLS needs both a certificate and its key");
        }
    }

    public static ServerConfig defaults() {
        return new ServerConfig("127.0.0.1", DEFAULT_PORT, Duration.ofSeconds(30),
                Duration.ofMillis(ProtocolLimits.DEFAULT_MAX_WAIT_MILLIS),
                Duration.ofMillis(ProtocolLimits.DEFAULT_MAX_TIMEOUT_MILLIS),
                ProtocolLimits.DEFAULT_MAX_LINE_BYTES, 0, DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_LOCKS_PER_SESSION,
                DEFAULT_MAX_SESSIONS_IN_GRACE, DEFAULT_MAX_LINE_TIME, null, null, null,
                OFF, OFF, DEFAULT_MAX_LIST);
    }

    public ProtocolLimits limits() {
        return limits(maxLineBytes, maxWait, maxTimeout);
    }

    public ServerConfig withPort(int port) {
        return new ServerConfig(bindAddress, port, sessionTimeout, maxWait, maxTimeout, maxLineBytes, ioThreads,
                maxConnections, maxLocksPerSession, maxSessionsInGrace, maxLineTime, passwordFile, tlsCert, tlsKey,
                memcachedPort, httpPort, maxList);
    }

    public ServerConfig withSessionTimeout(Duration sessionTimeout) {
        return new ServerConfig(bindAddress, port, sessionTimeout, maxWait, maxTimeout, maxLineBytes, ioThreads,
                maxConnections, maxLocksPerSession, maxSessionsInGrace, maxLineTime, passwordFile, tlsCert, tlsKey,
                memcachedPort, httpPort, maxList);
    }

    public ServerConfig withMaxWait(Duration maxWait) {
        return new ServerConfig(bindAddress, port, sessionTimeout, maxWait, maxTimeout, maxLineBytes, ioThreads,
                maxConnections, maxLocksPerSession, maxSessionsInGrace, maxLineTime, passwordFile, tlsCert, tlsKey,
                memcachedPort, httpPort, maxList);
    }

    public ServerConfig withMaxTimeout(Duration maxTimeout) {
        return new ServerConfig(bindAddress, port, sessionTimeout, maxWait, maxTimeout, maxLineBytes, ioThreads,
                maxConnections, maxLocksPerSession, maxSessionsInGrace, maxLineTime, passwordFile, tlsCert, tlsKey,
                memcachedPort, httpPort, maxList);
    }

    public ServerConfig withMaxLineBytes(int maxLineBytes) {
        return new ServerConfig(bindAddress, port, sessionTimeout, maxWait, maxTimeout, maxLineBytes, ioThreads,
                maxConnections, maxLocksPerSession, maxSessionsInGrace, maxLineTime, passwordFile, tlsCert, tlsKey,
                memcachedPort, httpPort, maxList);
    }

    public ServerConfig withIoThreads(int ioThreads) {
        return new ServerConfig(bindAddress, port, sessionTimeout, maxWait, maxTimeout, maxLineBytes, ioThreads,
                maxConnections, maxLocksPerSession, maxSessionsInGrace, maxLineTime, passwordFile, tlsCert, tlsKey,
                memcachedPort, httpPort, maxList);
    }

    public ServerConfig withMaxConnections(int maxConnections) {
        return new ServerConfig(bindAddress, port, sessionTimeout, maxWait, maxTimeout, maxLineBytes, ioThreads,
                maxConnections, maxLocksPerSession, maxSessionsInGrace, maxLineTime, passwordFile, tlsCert, tlsKey,
                memcachedPort, httpPort, maxList);
    }

    public ServerConfig withMaxLocksPerSession(int maxLocksPerSession) {
        return new ServerConfig(bindAddress, port, sessionTimeout, maxWait, maxTimeout, maxLineBytes, ioThreads,
                maxConnections, maxLocksPerSession, maxSessionsInGrace, maxLineTime, passwordFile, tlsCert, tlsKey,
                memcachedPort, httpPort, maxList);
    }

    public ServerConfig withMaxSessionsInGrace(int maxSessionsInGrace) {
        return new ServerConfig(bindAddress, port, sessionTimeout, maxWait, maxTimeout, maxLineBytes, ioThreads,
                maxConnections, maxLocksPerSession, maxSessionsInGrace, maxLineTime, passwordFile, tlsCert, tlsKey,
                memcachedPort, httpPort, maxList);
    }

    public ServerConfig withMaxLineTime(Duration maxLineTime) {
        return new ServerConfig(bindAddress, port, sessionTimeout, maxWait, maxTimeout, maxLineBytes, ioThreads,
                maxConnections, maxLocksPerSession, maxSessionsInGrace, maxLineTime, passwordFile, tlsCert, tlsKey,
                memcachedPort, httpPort, maxList);
    }

    public ServerConfig withPasswordFile(Path passwordFile) {
        return new ServerConfig(bindAddress, port, sessionTimeout, maxWait, maxTimeout, maxLineBytes, ioThreads,
                maxConnections, maxLocksPerSession, maxSessionsInGrace, maxLineTime, passwordFile, tlsCert, tlsKey,
                memcachedPort, httpPort, maxList);
    }

    public ServerConfig withTls(Path tlsCert, Path tlsKey) {
        return new ServerConfig(bindAddress, port, sessionTimeout, maxWait, maxTimeout, maxLineBytes, ioThreads,
                maxConnections, maxLocksPerSession, maxSessionsInGrace, maxLineTime, passwordFile, tlsCert, tlsKey,
                memcachedPort, httpPort, maxList);
    }

    public ServerConfig withMemcachedPort(int memcachedPort) {
        return new ServerConfig(bindAddress, port, sessionTimeout, maxWait, maxTimeout, maxLineBytes, ioThreads,
                maxConnections, maxLocksPerSession, maxSessionsInGrace, maxLineTime, passwordFile, tlsCert, tlsKey,
                memcachedPort, httpPort, maxList);
    }

    public ServerConfig withHttpPort(int httpPort) {
        return new ServerConfig(bindAddress, port, sessionTimeout, maxWait, maxTimeout, maxLineBytes, ioThreads,
                maxConnections, maxLocksPerSession, maxSessionsInGrace, maxLineTime, passwordFile, tlsCert, tlsKey,
                memcachedPort, httpPort, maxList);
    }

    public ServerConfig withMaxList(int maxList) {
        return new ServerConfig(bindAddress, port, sessionTimeout, maxWait, maxTimeout, maxLineBytes, ioThreads,
                maxConnections, maxLocksPerSession, maxSessionsInGrace, maxLineTime, passwordFile, tlsCert, tlsKey,
                memcachedPort, httpPort, maxList);
    }

    /** The limits the lock table holds each session to. */
    public LockTable.Limits lockLimits() {
        return new LockTable.Limits(maxLocksPerSession, maxSessionsInGrace);
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
