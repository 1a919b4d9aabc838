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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A raw socket speaking the text protocol the way nc would: bytes out exactly as given, reply lines
 * in with a bounded wait. Every read fails the test after {@link #DEFAULT_TIMEOUT} rather than hang.
 */
public final class TextConnection implements AutoCloseable {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    /** {@code 200 Acquired token=T} with T a positive decimal, no leading zero. */
    public static final Pattern ACQUIRED = Pattern.compile("200 Acquired token=([1-9][0-9]*)");

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

    /** This side's port: the server sees the connection as coming from it. */
    public int localPort() {
        return socket.getLocalPort();
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

    /** Half-closes: no more requests, as {@code nc -N} does at the end of its input; replies can still be read. */
    public TextConnection shutdownOutput() {
        try {
            socket.shutdownOutput();
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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

    /** Reads {@code count} reply lines, each with the default timeout. */
    public List<String> readLines(int count) {
        List<String> lines = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            lines.add(readLine());
        }
        return lines;
    }

    /** The token of a {@code 200 Acquired token=T} reply; fails on any other line. */
    public static long token(String reply) {
        Matcher matcher = ACQUIRED.matcher(reply);
        if (!matcher.matches()) {
            throw new AssertionError("expected 200 Acquired token=T, got \"" + reply + "\"");
        }
        return Long.parseLong(matcher.group(1));
    }

    /** Sends {@code lock NAME}, fails unless it is granted at once, and returns the token. */
    public long acquire(String name) {
        return token(request("lock " + name));
    }

    /** One stat as a number; fails if it is missing or not an integer. */
    public long stat(String key) {
        return numeric(stats(), key);
    }

    public static long numeric(Map<String, String> stats, String key) {
        String value = stats.get(key);
        if (value == null || !value.matches("[0-9]+")) {
            throw new AssertionError("stat " + key + " is not a non-negative integer: " + value + " in " + stats);
        }
        return Long.parseLong(value);
    }

    /**
     * Asks for {@code stats} until {@code condition} holds and returns those stats; fails after
     * {@code timeout}. For events that only the server sees, such as its noticing a closed connection.
     * Each round trip paces the next, so there is no sleep.
     */
    public Map<String, String> awaitStats(Predicate<Map<String, String>> condition, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Map<String, String> stats = stats();
            if (condition.test(stats)) {
                return stats;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("stats did not reach the expected state within " + timeout + ": " + stats);
            }
        }
    }

    /** Waits, as {@link #awaitStats}, until the numeric stat {@code key} equals {@code expected}. */
    public Map<String, String> awaitStat(String key, long expected) {
        return awaitStats(stats -> String.valueOf(expected).equals(stats.get(key)), DEFAULT_TIMEOUT);
    }

    /**
     * Reads until the server closes the connection and returns whatever came before the close, so a
     * test can assert that nothing did. Fails if the server keeps it open past the default timeout.
     */
    public String readUntilClosed() {
        ByteArrayOutputStream rest = new ByteArrayOutputStream();
        try {
            socket.setSoTimeout((int) DEFAULT_TIMEOUT.toMillis());
            byte[] buffer = new byte[4096];
            int n;
            while ((n = in.read(buffer)) >= 0) {
                rest.write(buffer, 0, n);
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("server did not close the connection within " + DEFAULT_TIMEOUT
                    + "; received: \"" + rest.toString(StandardCharsets.UTF_8) + "\"");
        } catch (IOException reset) {
            // A reset is a close too.
        }
        return rest.toString(StandardCharsets.UTF_8);
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
