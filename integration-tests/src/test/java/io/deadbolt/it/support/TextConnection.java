package io.deadbolt.it.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A raw socket speaking the text protocol the way nc would: bytes out exactly as given, reply lines
 * in with a bounded wait. Every read fails the test after {@link #DEFAULT_TIMEOUT} rather than hang.
 */
public final class TextConnection implements AutoCloseable {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    private TextConnection(Socket socket) throws IOException {
        this.socket = socket;
        socket.setTcpNoDelay(true);
        socket.setSoTimeout((int) DEFAULT_TIMEOUT.toMillis());
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    public static TextConnection open(String host, int port) throws IOException {
        return new TextConnection(new Socket(host, port));
    }

    /** Sends the bytes as they are (no line ending added). */
    public TextConnection sendRaw(byte[] bytes) {
        try {
            out.write(bytes);
            out.flush();
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public TextConnection sendRaw(String text) {
        return sendRaw(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Sends the line with CRLF. */
    public TextConnection send(String line) {
        return sendRaw(line + "\r\n");
    }

    /** Sends the line and reads one reply line. */
    public String request(String line) {
        send(line);
        return readLine();
    }

    /** Reads one reply line; it must end in CRLF, which is stripped. Fails after the default timeout. */
    public String readLine() {
        return readLine(DEFAULT_TIMEOUT);
    }

    public String readLine(Duration timeout) {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        try {
            socket.setSoTimeout((int) Math.max(1, timeout.toMillis()));
            int previous = -1;
            while (true) {
                int b = in.read();
                if (b < 0) {
                    throw new AssertionError("connection closed by the server; partial line: \""
                            + line.toString(StandardCharsets.UTF_8) + "\"");
                }
                if (b == '\n') {
                    if (previous != '\r') {
                        throw new AssertionError("reply line not ended by CRLF: " + line);
                    }
                    byte[] bytes = line.toByteArray();
                    return new String(bytes, 0, bytes.length - 1, StandardCharsets.UTF_8);
                }
                line.write(b);
                previous = b;
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("no reply line within " + timeout + "; partial: \""
                    + line.toString(StandardCharsets.UTF_8) + "\"");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** True if nothing arrives within {@code quiet}: for asserting that a wait is still pending. */
    public boolean nothingWithin(Duration quiet) {
        try {
            socket.setSoTimeout((int) Math.max(1, quiet.toMillis()));
            in.mark(1);
            int b = in.read();
            if (b < 0) {
                throw new AssertionError("connection closed by the server");
            }
            throw new AssertionError("unexpected data: " + (char) b + readLine());
        } catch (SocketTimeoutException e) {
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads the rest of a {@code stats} reply after its {@code 200 STATS} line, up to {@code END}. */
    public Map<String, String> readStatsBody() {
        Map<String, String> stats = new LinkedHashMap<>();
        while (true) {
            String line = readLine();
            if (line.equals("END")) {
                return stats;
            }
            String[] parts = line.split(" ");
            if (parts.length != 3 || !parts[0].equals("STAT")) {
                throw new AssertionError("not a STAT line: " + line);
            }
            stats.put(parts[1], parts[2]);
        }
    }

    /** Sends {@code stats} and returns its keys and values. */
    public Map<String, String> stats() {
        String header = request("stats");
        if (!header.equals("200 STATS")) {
            throw new AssertionError("expected 200 STATS, got " + header);
        }
        return readStatsBody();
    }

    /** Waits until the server closes the connection; fails if it does not within the timeout. */
    public void assertClosedByServer() {
        try {
            socket.setSoTimeout((int) DEFAULT_TIMEOUT.toMillis());
            while (true) {
                int b = in.read();
                if (b < 0) {
                    return;
                }
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("server did not close the connection within " + DEFAULT_TIMEOUT);
        } catch (IOException e) {
            // A reset is a close too.
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing
        }
    }
}
