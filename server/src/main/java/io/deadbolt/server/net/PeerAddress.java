package io.deadbolt.server.net;

import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/** A connection's remote address as operators read it: {@code 10.0.0.5:41000}, {@code [::1]:41000}. */
final class PeerAddress {
    private PeerAddress() {
    }

    /** Never contains whitespace, so it fits in one field of a reply line; null if there is no address. */
    static String format(SocketAddress address) {
        if (address instanceof InetSocketAddress inet && inet.getAddress() != null) {
            String host = inet.getAddress().getHostAddress();
            if (inet.getAddress() instanceof Inet6Address) {
                // Drop a scope (fe80::1%eth0): it is local to the server and its name may hold anything.
                int scope = host.indexOf('%');
                host = "[" + (scope < 0 ? host : host.substring(0, scope)) + "]";
            }
            return host + ":" + inet.getPort();
        }
        return null;
    }
}
