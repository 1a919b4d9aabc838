package io.deadbolt.it.client;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A stand-in for the server whose every reply the test writes by hand, for the moments a real server
 * cannot be made to produce on demand: a request carried out whose reply never arrives, say. Listens on
 * 127.0.0.1 and a free port; each accepted connection is a {@link Peer}.
 */
final class ScriptedServer implements AutoCloseable {
    static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final ServerSocket listener;
    private final List<Peer> peers = new ArrayList<>();

    ScriptedServer() {
        try {
            listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String host() {
        return listener.getInetAddress().getHostAddress();
    }

    int port() {
        return listener.getLocalPort();
    }

    /** The next connection from a client; fails the test if none comes within {@link #TIMEOUT}. */
    Peer accept() {
        try {
            listener.setSoTimeout((int) TIMEOUT.toMillis());
            Peer peer = new Peer(listener.accept());
            synchronized (peers) {
                peers.add(peer);
            }
            return peer;
        } catch (SocketTimeoutException e) {
            throw new AssertionError("no connection within " + TIMEOUT);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Accepts a client's first connection and answers its handshake: {@code conn_id} gets {@code id}. */
    Peer acceptNewSession(String id) {
        Peer peer = accept();
        peer.expect("conn_id");
        peer.reply("200 " + id);
        return peer;
    }

    @Override
    public void close() {
        try {
            listener.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        synchronized (peers) {
            peers.forEach(Peer::close);
        }
    }

    /** One client connection, read a line at a time and answered by the test. */
    static final class Peer implements AutoCloseable {
        private final Socket socket;
        private final BufferedReader in;
        private final OutputStream out;

        private Peer(Socket socket) throws IOException {
            this.socket = socket;
            this.in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            this.out = socket.getOutputStream();
        }

        /** The next request line, or null if the client closed the connection first. */
        String readLine() {
            try {
                socket.setSoTimeout((int) TIMEOUT.toMillis());
                return in.readLine();
            } catch (SocketTimeoutException e) {
                throw new AssertionError("no request within " + TIMEOUT);
            } catch (IOException e) {
                return null;
            }
        }

        /** Reads the next request and fails the test unless it is {@code line}. */
        void expect(String line) {
            String got = readLine();
            if (!line.equals(got)) {
                throw new AssertionError("expected \"" + line + "\" from the client, got \"" + got + "\"");
            }
        }

        void reply(String line) {
            try {
                out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void close() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }
}
