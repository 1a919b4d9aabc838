package io.deadbolt.it.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import io.deadbolt.it.support.TestServerExtension;
import io.deadbolt.it.support.TextConnection;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A client that sends without reading its replies: the server stops reading it once its unsent replies
 * pass the high water mark (64 KiB), so the server's memory for it stays bounded and the client's own
 * writes block, and once it reads again everything is answered, in order.
 */
class BackPressureTest {
    /** The high water mark, one reply of the longest line, and room for the reply being written. */
    private static final long PENDING_BOUND = 128 * 1024;
    /** Long enough for a server without back-pressure to read far past every bound asserted here. */
    private static final Duration WINDOW = Duration.ofMillis(300);
    private static final int SMALL_BUFFER = 64 * 1024;

    @RegisterExtension
    final TestServerExtension server = new TestServerExtension();
    private TextConnection watcher;
    /** Threads of their own for the flooders, whose writes block by design. */
    private final ExecutorService writers = Executors.newCachedThreadPool();

    @BeforeEach
    void connectWatcher() {
        watcher = server.connect();
    }

    @AfterEach
    void stopWriters() {
        writers.shutdownNow();
    }

    @Test
    void aClientFloodingLargeEchoesWithoutReadingIsPausedThenAnsweredInFull() throws Exception {
        String payload = "x".repeat(8000);
        byte[] line = ("echo " + payload + "\r\n").getBytes(StandardCharsets.US_ASCII);
        int lines = 8192;
        long total = (long) line.length * lines;
        long readBefore = watcher.stat("bytes_read");
        try (Socket flooder = smallBufferedSocket()) {
            CompletableFuture<Void> writer = writeInBackground(flooder, line, lines);
            awaitBackedUp(writer);

            long mostPending = mostPendingWhileNotDone(writer);

            assertThat(writer).as("the flood was read as fast as it was sent").isNotDone();
            assertThat(mostPending).isLessThanOrEqualTo(PENDING_BOUND);
            assertThat(watcher.stat("bytes_read") - readBefore).isLessThan(total / 2);

            BufferedReader replies = new BufferedReader(
                    new InputStreamReader(flooder.getInputStream(), StandardCharsets.US_ASCII), 1 << 16);
            String expected = "200 " + payload;
            for (int i = 0; i < lines; i++) {
                String reply = replies.readLine();
                if (!expected.equals(reply)) {
                    throw new AssertionError("reply " + i + " is not the echo: "
                            + (reply == null ? "end of stream" : reply.substring(0, Math.min(80, reply.length()))));
                }
            }
            writer.get(TextConnection.DEFAULT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        }
        assertThat(watcher.stat("bytes_read") - readBefore).isGreaterThanOrEqualTo(total);
    }

    /**
     * Each tiny {@code stats} request costs about a kilobyte of reply: without back-pressure the server
     * would read every request and buffer a hundred times as much.
     */
    @Test
    void aClientAskingForStatsWithoutReadingCostsTheServerABoundedAmount() throws Exception {
        byte[] line = "stats\r\n".getBytes(StandardCharsets.US_ASCII);
        int lines = 200_000;
        long readBefore = watcher.stat("bytes_read");
        try (Socket flooder = smallBufferedSocket()) {
            CompletableFuture<Void> writer = writeInBackground(flooder, line, lines);
            awaitBackedUp(writer);

            long mostPending = mostPendingWhileNotDone(writer);

            assertThat(mostPending).isLessThanOrEqualTo(PENDING_BOUND);
            assertThat(watcher.stat("bytes_read") - readBefore).isLessThan((long) line.length * lines / 4);
            writer.cancel(true);
        }
        watcher.awaitStat("curr_connections", 1);
        // What the flooder held (32 KiB and more) is gone; at most the watcher's own last reply may still be
        // on its way out.
        assertThat(server.server().pendingWriteBytes()).isLessThan(4096);
        assertThat(watcher.request("echo still serving")).isEqualTo("200 still serving");
    }

    /** Reading must not restart when a wait ends if the client still has not taken its replies. */
    @Test
    void theEndOfAWaitDoesNotRestartReadingAClientThatDoesNotRead() throws Exception {
        TextConnection holder = server.connect();
        holder.acquire("x");
        byte[] line = "stats\r\n".getBytes(StandardCharsets.US_ASCII);
        int lines = 200_000;
        try (Socket flooder = smallBufferedSocket()) {
            flooder.getOutputStream().write("lock x 30\r\n".getBytes(StandardCharsets.US_ASCII));
            holder.awaitStat("waiters", 1);
            long readBefore = watcher.stat("bytes_read");
            CompletableFuture<Void> writer = writeInBackground(flooder, line, lines);

            assertThat(holder.request("unlock x")).isEqualTo("200 Unlocked");
            awaitBackedUp(writer);
            long mostPending = mostPendingWhileNotDone(writer);

            assertThat(mostPending).isLessThanOrEqualTo(PENDING_BOUND);
            assertThat(watcher.stat("bytes_read") - readBefore).isLessThan((long) line.length * lines / 4);
            BufferedReader replies = new BufferedReader(
                    new InputStreamReader(flooder.getInputStream(), StandardCharsets.US_ASCII));
            assertThat(replies.readLine()).matches(TextConnection.ACQUIRED);
            assertThat(replies.readLine()).isEqualTo("200 STATS");
            writer.cancel(true);
        }
    }

    private Socket smallBufferedSocket() throws IOException {
        Socket socket = new Socket();
        // Set before connecting, so that the kernel holds little on the client's side.
        socket.setReceiveBufferSize(SMALL_BUFFER);
        socket.setSendBufferSize(SMALL_BUFFER);
        socket.connect(new InetSocketAddress(server.host(), server.port()), 10_000);
        socket.setSoTimeout((int) TextConnection.DEFAULT_TIMEOUT.toMillis());
        return socket;
    }

    private CompletableFuture<Void> writeInBackground(Socket socket, byte[] line, int times) {
        return CompletableFuture.runAsync(() -> {
            try {
                OutputStream out = socket.getOutputStream();
                byte[] batch = new byte[Math.max(line.length, 64 * 1024) / line.length * line.length];
                for (int i = 0; i < batch.length; i += line.length) {
                    System.arraycopy(line, 0, batch, i, line.length);
                }
                int perBatch = batch.length / line.length;
                for (int sent = 0; sent < times; sent += perBatch) {
                    int count = Math.min(perBatch, times - sent);
                    out.write(batch, 0, count * line.length);
                }
                out.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, writers);
    }

    /**
     * Waits until the server holds at least the low water mark of unsent replies: the client's socket is
     * full and the server has had to hold back. Each check waits a moment on the writer.
     */
    private void awaitBackedUp(CompletableFuture<Void> writer) {
        long deadline = System.nanoTime() + TextConnection.DEFAULT_TIMEOUT.toNanos();
        while (server.server().pendingWriteBytes() < 32 * 1024) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("the server never held back replies: "
                        + server.server().pendingWriteBytes() + " bytes pending");
            }
            pause(writer);
        }
    }

    /**
     * Samples the server's unsent reply bytes over {@link #WINDOW}, which is there to show that they do
     * not grow; returns the most seen.
     */
    private long mostPendingWhileNotDone(CompletableFuture<Void> writer) {
        long end = System.nanoTime() + WINDOW.toNanos();
        long most = 0;
        while (System.nanoTime() - end < 0) {
            most = Math.max(most, server.server().pendingWriteBytes());
            pause(writer);
        }
        return Math.max(most, server.server().pendingWriteBytes());
    }

    /** A few milliseconds between samples: spent waiting on the writer while it writes. */
    private static void pause(CompletableFuture<Void> writer) {
        if (writer.isDone()) {
            if (writer.isCompletedExceptionally()) {
                writer.join();
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
            return;
        }
        try {
            writer.get(5, TimeUnit.MILLISECONDS);
        } catch (TimeoutException stillWriting) {
            // the usual case
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        } catch (ExecutionException e) {
            throw new AssertionError("the flooding client failed", e);
        }
    }
}
