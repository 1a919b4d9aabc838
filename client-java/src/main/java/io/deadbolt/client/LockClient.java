package io.deadbolt.client;

import io.deadbolt.protocol.Names;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import javax.net.ssl.SSLContext;

/**
 * A connection to a deadbolt lock server, and the session that owns this client's locks.
 *
 * <pre>{@code
 * try (LockClient client = LockClient.connect("localhost", 11400)) {
 *     try (LockHandle lock = client.lock("orders", Duration.ofSeconds(5))) {
 *         store.write(order, lock.token());
 *     }
 * }
 * }</pre>
 *
 * <p><b>Threads.</b> A client is thread-safe and meant to be shared. It keeps one TCP connection and
 * pipelines the requests of all threads on it; the {@code *Async} methods never block, and the blocking
 * methods wait a bounded time. Futures complete, and {@link SessionListener} events arrive, on the
 * callback executor ({@link Builder#callbackExecutor}), not on the client's I/O thread.
 *
 * <p><b>Locks within one client.</b> The server grants locks to sessions, and this client is one session.
 * So that two threads sharing the client still exclude each other, the client lets one request per lock
 * name through at a time: a second {@link #lock} of a name this client holds waits (within its own wait)
 * until the first handle is released, and {@link #tryLock(String)} finds it unavailable.
 *
 * <p><b>Head-of-line waits.</b> The server answers a connection's requests in order, and a {@code lock}
 * that waits holds back everything sent after it on that connection. A client that waits for contended
 * locks while other threads need quick answers should use separate clients for the two.
 *
 * <p><b>Connection loss.</b> Requests in flight fail with {@link ConnectionLostException}, and new ones
 * fail the same way until the client has reconnected, which it does in the background with backoff. If it
 * gets back within the session's grace period, the session and its locks are resumed: handles stay valid
 * with their tokens. Otherwise every handle becomes invalid and {@link SessionListener#sessionExpired} is
 * called. See the README's "what you must do to be safe".
 *
 * <p><b>Password and TLS.</b> {@link Builder#password(String)} and {@link Builder#tls(SSLContext)} make
 * every connection begin with a TLS handshake and then {@code auth PASSWORD}, before the session's own
 * handshake. A refused or missing password fails {@link Builder#connect()} with
 * {@link AuthenticationFailedException}.
 */
public final class LockClient implements AutoCloseable {
    private final ClientCore core;

    private LockClient(ClientConfig config) {
        core = new ClientCore(config);
        core.connect();
    }

    /**
     * Connects to one server with the default settings.
     *
     * @throws ConnectFailedException if the server cannot be reached or does not answer as a lock server
     */
    public static LockClient connect(String host, int port) {
        return builder().endpoint(host, port).connect();
    }

    /** Settings beyond host and port: endpoints, timeouts, backoff, a session listener. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Takes the named lock, waiting up to {@code wait} for it while another session holds it.
     *
     * @param name a lock name: 1 to 250 bytes of UTF-8, no whitespace or control characters
     * @param wait how long to wait; {@link Duration#ZERO} does not wait
     * @return the handle; close it to release the lock
     * @throws LockTimeoutException     if the lock was not granted within the wait
     * @throws ConnectionLostException  if the connection is down, or broke before the answer came
     * @throws IllegalArgumentException if the name or the wait is not valid
     */
    public LockHandle lock(String name, Duration wait) {
        long waitMillis = waitMillis(wait);
        CompletableFuture<LockHandle> granted = core.lock(checkName(name), waitMillis, true);
        Duration bound = saturatedPlus(Duration.ofMillis(waitMillis), core.config().requestTimeout());
        return core.await(granted, bound, () -> {
            throw new LockTimeoutException(name, "lock '" + name + "' was not granted within " + bound.toMillis()
                    + " ms (the wait plus the request timeout)");
        });
    }

    /**
     * Takes the named lock if nobody else holds it, without waiting.
     *
     * @return the handle, or empty if another session (or another thread of this client) holds the lock
     */
    public Optional<LockHandle> tryLock(String name) {
        return tryLock(name, Duration.ZERO);
    }

    /**
     * Takes the named lock, waiting up to {@code wait}; like {@link #lock} but returns empty where that
     * throws {@link LockTimeoutException}.
     */
    public Optional<LockHandle> tryLock(String name, Duration wait) {
        long waitMillis = waitMillis(wait);
        CompletableFuture<Optional<LockHandle>> granted = core.tryLock(checkName(name), waitMillis, true);
        Duration bound = saturatedPlus(Duration.ofMillis(waitMillis), core.config().requestTimeout());
        return core.await(granted, bound, Optional::empty);
    }

    /**
     * {@link #lock} without blocking. The future fails with {@link LockTimeoutException} if the lock is
     * not granted within the wait. Cancelling the future gives the lock back if it is granted later.
     */
    public CompletableFuture<LockHandle> lockAsync(String name, Duration wait) {
        return core.lock(checkName(name), waitMillis(wait), false);
    }

    /** {@link #tryLock(String)} without blocking. */
    public CompletableFuture<Optional<LockHandle>> tryLockAsync(String name) {
        return tryLockAsync(name, Duration.ZERO);
    }

    /** {@link #tryLock(String, Duration)} without blocking. */
    public CompletableFuture<Optional<LockHandle>> tryLockAsync(String name, Duration wait) {
        return core.tryLock(checkName(name), waitMillis(wait), false);
    }

    /**
     * Releases the named lock of this session, as elock's {@code unlock NAME}. If this client holds it
     * through a handle, the handle is released.
     *
     * @throws LockNotHeldException  (an {@link IllegalMonitorStateException}) if another session holds
     *                               the lock ({@link LockNotHeldException.Reason#NOT_YOURS}) or nobody
     *                               does ({@link LockNotHeldException.Reason#NOT_LOCKED})
     * @throws IllegalStateException if this client's own request for the lock is still in progress
     */
    public void unlock(String name) {
        core.await(core.unlock(checkName(name), true), core.config().requestTimeout(), "unlock " + name);
    }

    /** {@link #unlock(String)} without blocking. */
    public CompletableFuture<Void> unlockAsync(String name) {
        return core.unlock(checkName(name), false);
    }

    /** Releases every lock of the session; all handles become {@link LockHandle.State#RELEASED}. */
    public void unlockAll() {
        core.await(core.unlockAll(true), core.config().requestTimeout(), "unlock_all");
    }

    /** {@link #unlockAll()} without blocking. */
    public CompletableFuture<Void> unlockAllAsync() {
        return core.unlockAll(false);
    }

    /**
     * The session's id on the server. It stays the same across resumed disconnections and changes when
     * a new session has to be started after the old one expired.
     */
    public String sessionId() {
        return core.sessionId();
    }

    /** The server's {@code stats}, in the server's order. */
    public Map<String, String> stats() {
        return core.await(core.stats(true), core.config().requestTimeout(), () -> {
            throw new RequestTimeoutException("no reply to stats within " + core.config().requestTimeout().toMillis()
                    + " ms");
        });
    }

    /** {@link #stats()} without blocking. */
    public CompletableFuture<Map<String, String>> statsAsync() {
        return core.stats(false);
    }

    /** True while the client has a connection with its session attached and accepts requests. */
    public boolean isConnected() {
        return core.isConnected();
    }

    /**
     * Releases every lock of the session, closes the connection and stops the client's threads. Handles
     * become {@link LockHandle.State#RELEASED}; requests still in flight fail with
     * {@link ClientClosedException}. Waits at most the request timeout for the server to confirm. If the
     * server cannot be reached, the locks stay held until the session's grace period ends. Calling it
     * again does nothing.
     */
    @Override
    public void close() {
        core.close();
    }

    private static String checkName(String name) {
        Objects.requireNonNull(name, "name");
        if (!Names.isValid(name)) {
            throw new IllegalArgumentException("invalid lock name (1 to " + Names.MAX_BYTES
                    + " bytes of UTF-8, no whitespace or control characters): \"" + name + "\"");
        }
        return name;
    }

    /** The wire counts in milliseconds; a fraction of one is rounded up so a positive wait stays positive. */
    private static long waitMillis(Duration wait) {
        Objects.requireNonNull(wait, "wait");
        if (wait.isNegative()) {
            throw new IllegalArgumentException("wait must not be negative: " + wait);
        }
        long millis;
        try {
            millis = wait.toMillis();
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("wait too long to count in milliseconds: " + wait, e);
        }
        return wait.getNano() % 1_000_000 != 0 ? millis + 1 : millis;
    }

    private static Duration saturatedPlus(Duration a, Duration b) {
        try {
            return a.plus(b);
        } catch (ArithmeticException e) {
            return Duration.ofSeconds(Long.MAX_VALUE);
        }
    }

    /**
     * Settings for a {@link LockClient}. Every setting has a default; {@link #connect()} makes the client.
     */
    public static final class Builder {
        private final List<Endpoint> endpoints = new ArrayList<>();
        private Duration connectTimeout = Duration.ofSeconds(5);
        private Duration sessionTimeout;
        private Duration backoffInitial = Duration.ofMillis(100);
        private Duration backoffMax = Duration.ofSeconds(5);
        private Duration requestTimeout = Duration.ofSeconds(10);
        private Duration pingInterval = Duration.ofSeconds(5);
        private SessionListener listener;
        private Executor callbackExecutor;
        private String password;
        private SSLContext tlsContext;
        private boolean tlsHostnameVerification = true;

        private Builder() {
        }

        /** Adds a server to connect to. Without any, the client connects to {@code localhost:11400}. */
        public Builder endpoint(String host, int port) {
            return endpoint(new Endpoint(host, port));
        }

        /** Adds a server to connect to; endpoints are tried in the order they were added. */
        public Builder endpoint(Endpoint endpoint) {
            endpoints.add(Objects.requireNonNull(endpoint, "endpoint"));
            return this;
        }

        /**
         * Adds servers as {@code host:port} (or {@code [ipv6]:port}, or a bare host for port 11400). Each
         * connection attempt tries them in the order given and uses the first that answers.
         */
        public Builder endpoints(String... hostAndPorts) {
            return endpoints(List.of(hostAndPorts));
        }

        /** {@link #endpoints(String...)} from a list. */
        public Builder endpoints(List<String> hostAndPorts) {
            for (String hostAndPort : hostAndPorts) {
                endpoints.add(Endpoint.parse(hostAndPort));
            }
            return this;
        }

        /** How long one TCP connection attempt may take, and with TLS its handshake too. Default 5 s. */
        public Builder connectTimeout(Duration timeout) {
            connectTimeout = positive("connect timeout", timeout);
            return this;
        }

        /**
         * The session's grace period: how long the server keeps this client's locks after its connection
         * breaks, waiting for it to come back. Sent with {@code set_timeout} on every new session; it must
         * not exceed the server's {@code --max-timeout}. Unset, the server's default applies, and the client
         * assumes the protocol's default of 30 s when it judges whether its session may have expired.
         */
        public Builder sessionTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative()) {
                throw new IllegalArgumentException("session timeout must not be negative: " + timeout);
            }
            sessionTimeout = timeout;
            return this;
        }

        /** Delays between reconnect attempts: {@code initial}, doubling up to {@code max}. Default 100 ms to 5 s. */
        public Builder reconnectBackoff(Duration initial, Duration max) {
            positive("initial backoff", initial);
            positive("max backoff", max);
            if (max.compareTo(initial) < 0) {
                throw new IllegalArgumentException("max backoff " + max + " is below initial backoff " + initial);
            }
            backoffInitial = initial;
            backoffMax = max;
            return this;
        }

        /**
         * How long the server may take to answer a request, beyond the request's own lock wait. A blocking
         * call gives up after it; a connection whose oldest request goes unanswered that long is presumed
         * dead and replaced. Default 10 s.
         */
        public Builder requestTimeout(Duration timeout) {
            requestTimeout = positive("request timeout", timeout);
            return this;
        }

        /**
         * How long an idle connection stays quiet before the client checks it with a ping, so that a dead
         * connection is noticed while the session can still be resumed. Capped at a third of the session
         * timeout; {@link Duration#ZERO} turns pings off. Default 5 s.
         */
        public Builder pingInterval(Duration interval) {
            Objects.requireNonNull(interval, "interval");
            if (interval.isNegative()) {
                throw new IllegalArgumentException("ping interval must not be negative: " + interval);
            }
            pingInterval = interval;
            return this;
        }

        /** Hears connection loss, resumption and session expiry. */
        public Builder listener(SessionListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * Where futures complete and listener events run. By default the client has its own pool of daemon
         * threads. An executor that runs tasks in the calling thread would run them on the client's I/O
         * thread, where blocking calls are refused.
         */
        public Builder callbackExecutor(Executor executor) {
            callbackExecutor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /**
         * The password of a server started with {@code --password-file}. Every connection, the first and
         * each reconnection, begins with {@code auth PASSWORD} before anything else. A server without a
         * password accepts it too, so the client can be given the password before the server is. The
         * password is never logged; it crosses the network as typed, so use {@link #tls(SSLContext)}
         * where the network is not trusted.
         *
         * <p>If the server refuses it, {@link #connect()} throws {@link AuthenticationFailedException};
         * without a password, a server that requires one makes {@link #connect()} throw the same exception,
         * saying a password is required. A refusal on a later reconnection (the server's password was
         * changed) is retried with the reconnect backoff like any other failed attempt, so that clients
         * recover by themselves once the server and its clients agree again; meanwhile the session's grace
         * period runs out as in any outage, reported through {@link SessionListener}.
         *
         * @throws IllegalArgumentException if the password is empty or contains whitespace or control
         *                                  characters (it travels as one word)
         */
        public Builder password(String password) {
            Objects.requireNonNull(password, "password");
            if (password.isEmpty()) {
                throw new IllegalArgumentException("password must not be empty");
            }
            for (int i = 0; i < password.length(); i++) {
                char c = password.charAt(i);
                if (Character.isWhitespace(c) || Character.isISOControl(c)) {
                    // The message must not quote the password.
                    throw new IllegalArgumentException("password must be one word: no whitespace or control "
                            + "characters");
                }
            }
            this.password = password;
            return this;
        }

        /** {@link #password(String)} from a char array; the array is copied, so the caller may clear it. */
        public Builder password(char[] password) {
            return password(new String(Objects.requireNonNull(password, "password")));
        }

        /**
         * Speaks TLS to the servers (started with {@code --tls-cert}/{@code --tls-key}), trusting what
         * {@code context}'s trust managers trust. The server's certificate must also name the endpoint's
         * host (host name or IP address, as given to {@link #endpoint}) unless
         * {@link #tlsHostnameVerification(boolean)} turns that check off. The TLS handshake must finish
         * within the {@link #connectTimeout(Duration) connect timeout}.
         */
        public Builder tls(SSLContext context) {
            tlsContext = Objects.requireNonNull(context, "context");
            return this;
        }

        /** {@link #tls(SSLContext)} with the JVM's default context: the JDK's trusted certificate authorities. */
        public Builder tls() {
            try {
                return tls(SSLContext.getDefault());
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("the JVM has no default TLS context", e);
            }
        }

        /**
         * Whether TLS checks that the server's certificate names the host connected to, as HTTPS does.
         * Default true. Turning it off accepts any certificate the trust store trusts, for whatever host:
         * only for tests, or with a trust store holding nothing but the server's own certificate.
         */
        public Builder tlsHostnameVerification(boolean verify) {
            tlsHostnameVerification = verify;
            return this;
        }

        /**
         * Creates the client and connects it: tries the endpoints in order, learns the session id and sets
         * the session timeout. Returns once the client is ready.
         *
         * @throws ConnectFailedException if no endpoint could be reached and handshaken with (TLS included)
         * @throws AuthenticationFailedException if the server refused the password, or requires one and
         *                                       none is configured
         */
        public LockClient connect() {
            List<Endpoint> targets = endpoints.isEmpty()
                    ? List.of(new Endpoint("localhost", Endpoint.DEFAULT_PORT))
                    : List.copyOf(endpoints);
            return new LockClient(new ClientConfig(targets, connectTimeout, sessionTimeout, backoffInitial,
                    backoffMax, requestTimeout, pingInterval, listener, callbackExecutor, password, tlsContext,
                    tlsHostnameVerification));
        }

        private static Duration positive(String what, Duration value) {
            Objects.requireNonNull(value, what);
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException(what + " must be positive: " + value);
            }
            return value;
        }
    }
}
