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
 * came back, without touching the client or the server. Each direction keeps its own order; the order
 * between the two directions is not kept.
 */
final class LineTap implements AutoCloseable {
    private final ServerSocket listener;
    private final String targetHost;
    private final int targetPort;
    private final BlockingQueue<String> fromClient = new LinkedBlockingQueue<>();
    private final BlockingQueue<String> fromServer = new LinkedBlockingQueue<>();
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

    /** Takes the client's lines in order until one equals {@code text}; fails if none does in time. */
    void awaitFromClient(String text, Duration timeout) throws InterruptedException {
        await(fromClient, "client", text, timeout);
    }

    /** Takes the server's lines in order until one equals {@code text}; fails if none does in time. */
    void awaitFromServer(String text, Duration timeout) throws InterruptedException {
        await(fromServer, "server", text, timeout);
    }

    /** The server's next line; fails if none comes within {@code timeout}. */
    String nextFromServer(Duration timeout) throws InterruptedException {
        String line = fromServer.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
        if (line == null) {
            throw new AssertionError("the server sent no line within " + timeout);
        }
        return line;
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

    private static void await(BlockingQueue<String> lines, String side, String text, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            String line = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (line == null) {
                throw new AssertionError("the " + side + " sent no line \"" + text + "\" within " + timeout);
            }
            if (line.equals(text)) {
                return;
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
                daemon(() -> relay(client, server, fromClient), "line-tap-up");
                daemon(() -> relay(server, client, fromServer), "line-tap-down");
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void relay(Socket from, Socket to, BlockingQueue<String> lines) {
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
                        lines.add(new String(bytes, 0, length, StandardCharsets.UTF_8));
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
