package io.deadbolt.it.monitoring;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP relay on 127.0.0.1 that passes every byte through unchanged and notes each line going either
 * way, so a test can wait for what a client library sends on its own (a heartbeat, say) and see what
 * came back, without touching the client or the server.
 */
final class LineTap implements AutoCloseable {
    /** A line seen on the wire; {@code fromClient} tells the direction. */
    record Line(boolean fromClient, String text) {
    }

    private final ServerSocket listener;
    private final String targetHost;
    private final int targetPort;
    private final BlockingQueue<Line> lines = new LinkedBlockingQueue<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final AtomicInteger accepted = new AtomicInteger();

    LineTap(String targetHost, int targetPort) {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        try {
            listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        daemon(this::acceptLoop, "line-tap-accept");
    }

    String host() {
        return listener.getInetAddress().getHostAddress();
    }

    int port() {
        return listener.getLocalPort();
    }

    /** Connections accepted so far: a client that reconnected shows as more than one. */
    int acceptedConnections() {
        return accepted.get();
    }

    /**
     * Takes lines in the order they were seen until one from the given side equals {@code text};
     * fails if none does within {@code timeout}.
     */
    void await(boolean fromClient, String text, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Line line = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (line == null) {
                throw new AssertionError("no line \"" + text + "\" from the " + (fromClient ? "client" : "server")
                        + " within " + timeout);
            }
            if (line.fromClient() == fromClient && line.text().equals(text)) {
                return;
            }
        }
    }

    /** The next line seen, from either side; fails if none comes within {@code timeout}. */
    Line next(Duration timeout) throws InterruptedException {
        Line line = lines.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
        if (line == null) {
            throw new AssertionError("no line within " + timeout);
        }
        return line;
    }

    /** Forgets the lines seen so far. */
    void clear() {
        lines.clear();
    }

    @Override
    public void close() {
        try {
            listener.close();
        } catch (IOException ignored) {
            // closing
        }
        for (Socket socket : sockets) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                accepted.incrementAndGet();
                Socket server = new Socket(targetHost, targetPort);
                sockets.add(client);
                sockets.add(server);
                daemon(() -> relay(client, server, true), "line-tap-up");
                daemon(() -> relay(server, client, false), "line-tap-down");
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void relay(Socket from, Socket to, boolean fromClient) {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                out.write(buffer, 0, n);
                out.flush();
                for (int i = 0; i < n; i++) {
                    if (buffer[i] == '\n') {
                        byte[] bytes = line.toByteArray();
                        int length = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                        lines.add(new Line(fromClient, new String(bytes, 0, length, StandardCharsets.UTF_8)));
                        line.reset();
                    } else {
                        line.write(buffer[i]);
                    }
                }
            }
        } catch (IOException closed) {
            // one side went away; closing both ends below tells the other
        } finally {
            try {
                to.close();
                from.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }

    private static void daemon(Runnable task, String name) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        thread.start();
    }
}
