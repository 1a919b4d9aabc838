package io.deadbolt.client;

import java.util.Objects;

/**
 * A server address the client may connect to.
 *
 * @param host a host name or an IP address literal
 * @param port the TCP port, 1 to 65535
 */
public record Endpoint(String host, int port) {
    /** elock's port, which deadbolt listens on unless told otherwise. */
    public static final int DEFAULT_PORT = 11400;

    public Endpoint {
        Objects.requireNonNull(host, "host");
        if (host.isBlank()) {
            throw new IllegalArgumentException("host must not be blank");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be 1 to 65535: " + port);
        }
    }

    /**
     * Parses {@code host:port}, {@code [ipv6]:port}, or a bare host (port {@value #DEFAULT_PORT}).
     *
     * @throws IllegalArgumentException if the text is not one of those
     */
    public static Endpoint parse(String hostAndPort) {
        Objects.requireNonNull(hostAndPort, "hostAndPort");
        String text = hostAndPort.strip();
        String host;
        String port = null;
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("unbalanced [ in endpoint: " + hostAndPort);
            }
            host = text.substring(1, close);
            String rest = text.substring(close + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    throw new IllegalArgumentException("expected :port after ] in endpoint: " + hostAndPort);
                }
                port = rest.substring(1);
            }
        } else {
            int colon = text.lastIndexOf(':');
            if (colon >= 0 && text.indexOf(':') != colon) {
                throw new IllegalArgumentException("write an IPv6 endpoint as [address]:port: " + hostAndPort);
            }
            host = colon < 0 ? text : text.substring(0, colon);
            port = colon < 0 ? null : text.substring(colon + 1);
        }
        if (port == null) {
            return new Endpoint(host, DEFAULT_PORT);
        }
        try {
            return new Endpoint(host, Integer.parseInt(port));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a port number in endpoint: " + hostAndPort, e);
        }
    }

    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
