package io.deadbolt.client;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executor;
import javax.net.ssl.SSLContext;

/**
 * The builder's settings, fixed when the client is created. {@code sessionTimeout}, {@code password} and
 * {@code tlsContext} may be null (not set).
 */
record ClientConfig(List<Endpoint> endpoints, Duration connectTimeout, Duration sessionTimeout,
                    Duration backoffInitial, Duration backoffMax, Duration requestTimeout, Duration pingInterval,
                    SessionListener listener, Executor callbackExecutor, String password, SSLContext tlsContext,
                    boolean tlsHostnameVerification) {

    /** Without a password or TLS. */
    ClientConfig(List<Endpoint> endpoints, Duration connectTimeout, Duration sessionTimeout,
                 Duration backoffInitial, Duration backoffMax, Duration requestTimeout, Duration pingInterval,
                 SessionListener listener, Executor callbackExecutor) {
        this(endpoints, connectTimeout, sessionTimeout, backoffInitial, backoffMax, requestTimeout, pingInterval,
                listener, callbackExecutor, null, null, true);
    }

    /** The protocol's default grace period, assumed when the client does not set its own. */
    static final Duration SERVER_DEFAULT_SESSION_TIMEOUT = Duration.ofSeconds(30);
    /** Pings more often than this would cost more than a very short grace period is worth. */
    private static final Duration MIN_PING_INTERVAL = Duration.ofMillis(20);

    /** The grace period the client counts with: its own setting, or the server's documented default. */
    Duration effectiveSessionTimeout() {
        return sessionTimeout != null ? sessionTimeout : SERVER_DEFAULT_SESSION_TIMEOUT;
    }

    /**
     * How long the connection may stay quiet before the client pings. At most a third of the grace
     * period, so that the last word from the server is always recent: the client dates a session's
     * possible expiry from it.
     */
    Duration effectivePingInterval() {
        if (pingInterval.isZero()) {
            return Duration.ZERO;
        }
        Duration third = effectiveSessionTimeout().dividedBy(3);
        if (third.isZero()) {
            return pingInterval;
        }
        Duration capped = third.compareTo(pingInterval) < 0 ? third : pingInterval;
        return capped.compareTo(MIN_PING_INTERVAL) < 0 ? MIN_PING_INTERVAL : capped;
    }

    /** The record's own toString would print the password. */
    @Override
    public String toString() {
        return "ClientConfig[endpoints=" + endpoints + ", connectTimeout=" + connectTimeout
                + ", sessionTimeout=" + sessionTimeout + ", backoffInitial=" + backoffInitial
                + ", backoffMax=" + backoffMax + ", requestTimeout=" + requestTimeout
                + ", pingInterval=" + pingInterval + ", password=" + (password == null ? "none" : "***")
                + ", tls=" + (tlsContext != null) + ", tlsHostnameVerification=" + tlsHostnameVerification + "]";
    }
}
