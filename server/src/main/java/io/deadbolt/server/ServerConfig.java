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
 * @param transport      the socket implementation: {@link TransportChoice#AUTO} takes the best this machine offers
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
                           Duration maxTimeout, int maxLineBytes, int ioThreads, TransportChoice transport,
                           int maxConnections,
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
        Objects.requireNonNull(transport, "transport");
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

    /** Every option at its default. */
    public static ServerConfig defaults() {
        return builder().build();
    }

    /** A builder holding every option's default. */
    public static Builder builder() {
        return new Builder();
    }

    public ProtocolLimits limits() {
        return limits(maxLineBytes, maxWait, maxTimeout);
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

    /** Options by name; {@link #build()} checks them together. Starts from the defaults. */
    public static final class Builder {
        private String bindAddress = "127.0.0.1";
        private int port = DEFAULT_PORT;
        private Duration sessionTimeout = Duration.ofSeconds(30);
        private Duration maxWait = Duration.ofMillis(ProtocolLimits.DEFAULT_MAX_WAIT_MILLIS);
        private Duration maxTimeout = Duration.ofMillis(ProtocolLimits.DEFAULT_MAX_TIMEOUT_MILLIS);
        private int maxLineBytes = ProtocolLimits.DEFAULT_MAX_LINE_BYTES;
        private int ioThreads;
        private TransportChoice transport = TransportChoice.AUTO;
        private int maxConnections = DEFAULT_MAX_CONNECTIONS;
        private int maxLocksPerSession = DEFAULT_MAX_LOCKS_PER_SESSION;
        private int maxSessionsInGrace = DEFAULT_MAX_SESSIONS_IN_GRACE;
        private Duration maxLineTime = DEFAULT_MAX_LINE_TIME;
        private Path passwordFile;
        private Path tlsCert;
        private Path tlsKey;
        private int memcachedPort = OFF;
        private int httpPort = OFF;
        private int maxList = DEFAULT_MAX_LIST;

        private Builder() {
        }

        public Builder bindAddress(String bindAddress) {
            this.bindAddress = bindAddress;
            return this;
        }

        public Builder port(int port) {
            this.port = port;
            return this;
        }

        public Builder sessionTimeout(Duration sessionTimeout) {
            this.sessionTimeout = sessionTimeout;
            return this;
        }

        public Builder maxWait(Duration maxWait) {
            this.maxWait = maxWait;
            return this;
        }

        public Builder maxTimeout(Duration maxTimeout) {
            this.maxTimeout = maxTimeout;
            return this;
        }

        public Builder maxLineBytes(int maxLineBytes) {
            this.maxLineBytes = maxLineBytes;
            return this;
        }

        public Builder ioThreads(int ioThreads) {
            this.ioThreads = ioThreads;
            return this;
        }

        public Builder transport(TransportChoice transport) {
            this.transport = transport;
            return this;
        }

        public Builder maxConnections(int maxConnections) {
            this.maxConnections = maxConnections;
            return this;
        }

        public Builder maxLocksPerSession(int maxLocksPerSession) {
            this.maxLocksPerSession = maxLocksPerSession;
            return this;
        }

        public Builder maxSessionsInGrace(int maxSessionsInGrace) {
            this.maxSessionsInGrace = maxSessionsInGrace;
            return this;
        }

        public Builder maxLineTime(Duration maxLineTime) {
            this.maxLineTime = maxLineTime;
            return this;
        }

        public Builder passwordFile(Path passwordFile) {
            this.passwordFile = passwordFile;
            return this;
        }

        /** Both or neither: a certificate chain and its private key. */
        public Builder tls(Path tlsCert, Path tlsKey) {
            this.tlsCert = tlsCert;
            this.tlsKey = tlsKey;
            return this;
        }

        public Builder memcachedPort(int memcachedPort) {
            this.memcachedPort = memcachedPort;
            return this;
        }

        public Builder httpPort(int httpPort) {
            this.httpPort = httpPort;
            return this;
        }

        public Builder maxList(int maxList) {
            this.maxList = maxList;
            return this;
        }

        /** @throws IllegalArgumentException naming the first option that is out of range */
        public ServerConfig build() {
            return new ServerConfig(bindAddress, port, sessionTimeout, maxWait, maxTimeout, maxLineBytes, ioThreads,
                    transport, maxConnections, maxLocksPerSession, maxSessionsInGrace, maxLineTime, passwordFile,
                    tlsCert, tlsKey, memcachedPort, httpPort, maxList);
        }
    }
}
