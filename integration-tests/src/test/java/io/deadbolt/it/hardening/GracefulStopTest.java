package io.deadbolt.it.hardening;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.deadbolt.it.support.StatsReplies;
import io.deadbolt.it.support.TestServerExtension;
import io.deadbolt.it.support.TextConnection;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Stopping the server (what SIGTERM does): it stops accepting, answers every pending wait
 * {@code 503 shutting down}, flushes what it wrote, closes every connection, and returns within a bound
 * even when a client does not take its replies.
 */
class GracefulStopTest {
    /** The flush timeout (2 s), the event loops' quiet period and slack for a slow machine. */
    private static final Duration STOP_BOUND = Duration.ofSeconds(8);
    /** Replies of about 18 MB: more than the kernel buffers between server and client hold. */
    private static final int STATS_REQUESTS = 20_000;

    /** Threads of their own for what blocks by design: the stop, and clients' writes to a server that stops reading. */
    private final ExecutorService background = Executors.newCachedThreadPool();

    @RegisterExtension
    final TestServerExtension server = new TestServerExtension();

    @AfterEach
    void stopBackground() {
        background.shutdownNow();
    }

    @Test
    void pendingWaitsAreAnsweredShuttingDownAndEveryConnectionIsClosed() throws Exception {
        TextConnection holder = server.connect();
        holder.acquire("x");
        TextConnection waiter = server.connect();
        waiter.send("lock x 30");
        waiter.send("echo held back behind the wait");
        TextConnection idle = server.connect();
        assertThat(idle.request("echo hi")).isEqualTo("200 hi");
        holder.awaitStat("waiters", 1);

        CompletableFuture<Long> stopping = CompletableFuture.supplyAsync(this::stop, background);

        assertThat(waiter.readLine()).isEqualTo("503 shutting down");
        // The server ends its side; a client that then closes its own lets the stop finish at once.
        for (TextConnection client : new TextConnection[] {waiter, holder, idle}) {
            assertThat(client.readUntilClosed()).isEmpty();
            client.close();
        }
        long elapsed = stopping.get(STOP_BOUND.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(Duration.ofNanos(elapsed)).isLessThan(STOP_BOUND);
        assertThatThrownBy(() -> new Socket(server.host(), server.port()).close())
                .isInstanceOf(ConnectException.class);
    }

    @Test
    void clientsThatDoNotCloseTheirSideAreClosedWithinTheBound() {
        TextConnection idle = server.connect();
        assertThat(idle.request("echo hi")).isEqualTo("200 hi");

        long elapsed = stop();

        assertThat(Duration.ofNanos(elapsed)).isLessThan(STOP_BOUND);
        assertThat(idle.readUntilClosed()).isEmpty();
    }

    /**
     * A client that is behind on its replies when the stop begins, and reads during the flush timeout,
     * gets every reply the server wrote, whole, and then the close.
     */
    @Test
    void repliesWrittenBeforeTheStopAreDeliveredWhole() throws Exception {
        try (Socket behind = clientBehindOnItsReplies()) {
            CompletableFuture<Long> stopping = CompletableFuture.supplyAsync(this::stop, background);

            StatsReplies replies = StatsReplies.readUntilClosed(behind);
            behind.close();
            assertThat(replies.count()).isPositive();
            assertThat(replies.last()).isEqualTo("END");
            assertThat(Duration.ofNanos(stopping.get(STOP_BOUND.toMillis(), TimeUnit.MILLISECONDS)))
                    .isLessThan(STOP_BOUND);
        }
    }

    @Test
    @SuppressWarnings("try") // the stuck client is only held open, unread, through the stop
    void aClientThatDoesNotReadCannotHoldTheStopPastItsBound() throws IOException {
        try (Socket stuck = clientBehindOnItsReplies()) {
            TextConnection watcher = server.connect();

            long elapsed = stop();

            assertThat(Duration.ofNanos(elapsed)).isLessThan(STOP_BOUND);
            assertThat(watcher.readUntilClosed()).isEmpty();
        }
    }

    /**
     * A client that has sent many {@code stats} and not read their replies yet, once those replies have
     * piled up in the server: its small receive buffer leaves most of them there. Reads on it time out
     * rather than hang.
     */
    private Socket clientBehindOnItsReplies() throws IOException {
        Socket socket = new Socket();
        socket.setReceiveBufferSize(16 * 1024);
        socket.connect(new InetSocketAddress(server.host(), server.port()));
        socket.setSoTimeout((int) TextConnection.DEFAULT_TIMEOUT.toMillis());
        sendInBackground(socket);
        awaitBackedUp();
        return socket;
    }

    /** Many {@code stats} requests, from another thread: the writes block once the server stops reading. */
    private void sendInBackground(Socket socket) {
        byte[] requests = "stats\r\n".repeat(STATS_REQUESTS).getBytes(StandardCharsets.US_ASCII);
        CompletableFuture.runAsync(() -> {
            try {
                socket.getOutputStream().write(requests);
            } catch (IOException closedByTheStop) {
                // The stop closed the connection before the server read everything: expected.
            }
        }, background);
    }

    /** Waits until a client's unread replies pile up in the server; each check is paced by a round trip. */
    private void awaitBackedUp() {
        TextConnection pacer = server.connect();
        long deadline = System.nanoTime() + TextConnection.DEFAULT_TIMEOUT.toNanos();
        while (server.server().pendingWriteBytes() < 32 * 1024) {
            assertThat(System.nanoTime() - deadline).as("replies never backed up").isNegative();
            assertThat(pacer.request("echo pace")).isEqualTo("200 pace");
        }
    }

    /** Stops the server as SIGTERM does; returns how long it took, in nanoseconds. */
    private long stop() {
        long start = System.nanoTime();
        server.server().close();
        return System.nanoTime() - start;
    }
}
