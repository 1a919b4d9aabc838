package io.deadbolt.it.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP relay between clients and one server, for breaking connections on demand: the network failures
 * a client must survive, without touching the server. Listens on 127.0.0.1 and a free port.
 *
 * <ul>
 *   <li>{@link #severAll()}: both sides of every relayed connection are closed; the server sees its
 *       connections close, as after a crash of the client's host.</li>
 *   <li>{@link #severClientSides()}: only the client sides are closed; the server keeps seeing open
 *       connections (as when a network path dies silently) until {@link #releaseServerSides()}.</li>
 *   <li>{@link #freezeAll()}: every relayed connection carries nothing any more, in either direction,
 *       and a close by the client does not reach the server, as when a network path dies without a
 *       reset. The server keeps seeing an open connection until {@link #releaseServerSides()}.</li>
 *   <li>{@link #refuseNewConnections(boolean)}: new connections are accepted and closed at once, so a
 *       client stays disconnected for as long as the test needs.</li>
 * </ul>
 */
public final class TcpProxy implements AutoCloseable {
    private final ServerSocket listener;
    private final InetSocketAddress target;
    private final Set<Link> links = ConcurrentHashMap.newKeySet();
    private final List<Socket> heldServerSides = new ArrayList<>();
    private final AtomicInteger accepted = new AtomicInteger();
    private volatile boolean refusing;
    private volatile boolean closed;

    private TcpProxy(String targetHost, int targetPort) throws IOException {
        target = new InetSocketAddress(targetHost, targetPort);
        listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::acceptLoop, "tcp-proxy-accept-" + listener.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** A proxy that relays every connection it accepts to {@code host:port}. */
    public static TcpProxy to(String host, int port) {
        try {
            return new TcpProxy(host, port);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String host() {
        return listener.getInetAddress().getHostAddress();
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** How many client connections the proxy has accepted so far, refused ones included. */
    public int acceptedConnections() {
        return accepted.get();
    }

    /** While true, new connections are closed as soon as they are accepted. */
    public void refuseNewConnections(boolean refuse) {
        refusing = refuse;
    }

    /** Stops relaying on every current connection, silently dropping what either side sends. */
    public void freezeAll() {
        for (Link link : links) {
            synchronized (heldServerSides) {
                heldServerSides.add(link.server);
            }
            link.serverSideDetached = true;
            link.frozen = true;
        }
    }

    /** Closes both sides of every relayed connection. */
    public void severAll() {
        for (Link link : List.copyOf(links)) {
            link.close();
        }
    }

    /**
     * Closes the client side of every relayed connection and keeps the server side open, so the server
     * still believes those clients are connected.
     */
    public void severClientSides() {
        for (Link link : List.copyOf(links)) {
            synchronized (heldServerSides) {
                heldServerSides.add(link.server);
            }
            link.detachServerSide();
        }
    }

    /** Closes the server sides kept open by {@link #severClientSides()}. */
    public void releaseServerSides() {
        synchronized (heldServerSides) {
            for (Socket socket : heldServerSides) {
                closeQuietly(socket);
            }
            heldServerSides.clear();
        }
    }

    @Override
    public void close() {
        closed = true;
        closeQuietly(listener);
        severAll();
        releaseServerSides();
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                return;
            }
            accepted.incrementAndGet();
            if (refusing) {
                closeQuietly(client);
                continue;
            }
            Socket server = new Socket();
            try {
                server.connect(target, 5000);
                client.setTcpNoDelay(true);
                server.setTcpNoDelay(true);
            } catch (IOException e) {
                closeQuietly(client);
                closeQuietly(server);
                continue;
            }
            Link link = new Link(client, server);
            links.add(link);
            link.start();
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception ignored) {
            // already broken
        }
    }

    /** One relayed connection: a thread per direction. */
    private final class Link {
        final Socket client;
        final Socket server;
        /** Once set, ending this link leaves the server side open. */
        volatile boolean serverSideDetached;
        volatile boolean frozen;

        Link(Socket client, Socket server) {
            this.client = client;
            this.server = server;
        }

        void start() {
            pump(client, server, "up");
            pump(server, client, "down");
        }

        void detachServerSide() {
            serverSideDetached = true;
            links.remove(this);
            closeQuietly(client);
        }

        void close() {
            links.remove(this);
            closeQuietly(client);
            if (!serverSideDetached) {
                closeQuietly(server);
            }
        }

        private void pump(Socket from, Socket to, String direction) {
            Thread thread = new Thread(() -> {
                byte[] buffer = new byte[8192];
                try {
                    InputStream in = from.getInputStream();
                    OutputStream out = to.getOutputStream();
                    int n;
                    while ((n = in.read(buffer)) >= 0) {
                        if (!frozen) {
                            out.write(buffer, 0, n);
                            out.flush();
                        }
                    }
                } catch (IOException e) {
                    // one side is gone; the link ends
                }
                close();
            }, "tcp-proxy-" + direction + "-" + from.getPort());
            thread.setDaemon(true);
            thread.start();
        }
    }
}
