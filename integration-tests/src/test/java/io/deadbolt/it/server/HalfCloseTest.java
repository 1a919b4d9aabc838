package io.deadbolt.it.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.deadbolt.it.support.StatsReplies;
import io.deadbolt.it.support.CloseAfterEach;
import io.deadbolt.it.support.TestServer;
import io.deadbolt.it.support.TextConnection;
import io.deadbolt.server.TransportChoice;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A client that ends its side of the connection ({@code nc -N} at the end of its input, a script's
 * half-close) after its requests gets the replies to every whole line it sent, then the close; a wait
 * it leaves behind ends at once, as on a close. On every transport, since each notices the end of the
 * input in its own way.
 */
class HalfCloseTest {
    /** The stop's flush timeout: a stop that ends sooner was not kept waiting for a client to close. */
    private static final Duration STOP_FLUSH_TIMEOUT = Duration.ofSeconds(2);
    /** About 20 MB of replies: far more than the kernel's buffers and the server's water mark hold. */
    private static final int STATS_REQUESTS = 20_000;

    /** Threads of their own for clients' writes, which block by design while the server holds back. */
    private final ExecutorService background = Executors.newCachedThreadPool();
    @RegisterExtension
    final CloseAfterEach resources = new CloseAfterEach();
    private TestServer server;

    @AfterEach
    void stopBackground() {
        background.shutdownNow();
    }

    @ParameterizedTest
    @EnumSource(value = TransportChoice.class, names = {"IO_URING", "EPOLL", "NIO"})
    void aHalfCloseDuringAWaitEndsTheWaitAtOnceAndTheLockGoesToTheNextWaiter(TransportChoice transport) {
        server = resources.closeLater(TestServer.startOn(transport, UnaryOperator.identity()));
        TextConnection holder = server.connect();
        TextConnection leaver = server.connect();
        TextConnection next = server.connect();
        holder.acquire("x");
        // Waits far longer than the bounded reads below: only the half-close can end this one in time.
        leaver.send("lock x 60").send("echo held back behind the wait");
        holder.awaitStat("waiters", 1);
        next.send("lock x 60");
        holder.awaitStat("waiters", 2);

        leaver.shutdownOutput();

        assertThat(leaver.readUntilClosed()).isEmpty();
        holder.awaitStats(HalfCloseTest::oneWaiterAndTheLeaverInGrace, TextConnection.DEFAULT_TIMEOUT);
        assertThat(holder.request("unlock x")).isEqualTo("200 Unlocked");
        assertThat(next.readLine()).matches(TextConnection.ACQUIRED);
    }

    /**
     * The server may still hold replies the client has not taken when the client half-closes during a
     * wait: the wait must end then all the same, not once the client has taken those replies (if ever).
     */
    @ParameterizedTest
    @EnumSource(value = TransportChoice.class, names = {"IO_URING", "EPOLL", "NIO"})
    void aHalfCloseDuringAWaitEndsTheWaitAtOnceWhileEarlierRepliesAreUnread(TransportChoice transport)
            throws IOException {
        server = resources.closeLater(TestServer.startOn(transport, UnaryOperator.identity()));
        TextConnection holder = server.connect();
        TextConnection next = server.connect();
        holder.acquire("x");
        try (Socket leaver = new Socket()) {
            leaver.setReceiveBufferSize(16 * 1024);
            leaver.connect(new InetSocketAddress(server.host(), server.port()), 10_000);
            fillUntilTheServerHoldsReplies(leaver, holder);
            leaver.getOutputStream().write("lock x 60\n".getBytes(StandardCharsets.US_ASCII));
            holder.awaitStat("waiters", 1);
            next.send("lock x 60");
            holder.awaitStat("waiters", 2);

            leaver.shutdownOutput();

            holder.awaitStats(HalfCloseTest::oneWaiterAndTheLeaverInGrace, TextConnection.DEFAULT_TIMEOUT);
            assertThat(holder.request("unlock x")).isEqualTo("200 Unlocked");
            assertThat(next.readLine()).matches(TextConnection.ACQUIRED);
        }
    }

    /**
     * Sends long echoes that the client does not read, a few at a time, until the kernel's buffers between
     * server and client are full and the server holds some replies itself: fewer than make it stop running
     * the client's requests. A lock after each step shows when the server has run the step.
     */
    private void fillUntilTheServerHoldsReplies(Socket client, TextConnection observer) throws IOException {
        byte[] echoes = ("echo " + "r".repeat(8000) + "\n").repeat(4).getBytes(StandardCharsets.US_ASCII);
        for (int step = 0; !holdsReplies(observer); step++) {
            assertThat(step).as("the server never held replies back").isLessThan(2_000);
            client.getOutputStream().write(echoes);
            client.getOutputStream().write(("lock step-" + step + "\n").getBytes(StandardCharsets.US_ASCII));
            long deadline = System.nanoTime() + TextConnection.DEFAULT_TIMEOUT.toNanos();
            while (observer.request("info step-" + step).startsWith("200 free")) {
                assertThat(System.nanoTime() - deadline).as("step " + step + " never ran").isNegative();
            }
        }
    }

    /**
     * Whether the server holds unsent replies, and still does after a round trip: io_uring counts a write
     * as unsent until the kernel reports it done, even when the socket had room for it.
     */
    private boolean holdsReplies(TextConnection observer) {
        if (server.server().pendingWriteBytes() < 8 * 1024) {
            return false;
        }
        assertThat(observer.request("echo pace")).isEqualTo("200 pace");
        return server.server().pendingWriteBytes() >= 8 * 1024;
    }

    /** A line cut short can mean something else than the whole line would have: {@code lock x 3} of {@code lock x 30}. */
    @ParameterizedTest
    @EnumSource(value = TransportChoice.class, names = {"IO_URING", "EPOLL", "NIO"})
    void anUnfinishedLastLineIsNotRunAndTheLinesBeforeItAreAnswered(TransportChoice transport) {
        server = resources.closeLater(TestServer.startOn(transport, UnaryOperator.identity()));
        TextConnection script = server.connect();

        script.sendRaw("echo one\nlock cut").shutdownOutput();

        assertThat(script.readLine()).isEqualTo("200 one");
        assertThat(script.readUntilClosed()).isEmpty();
        assertThat(server.connect().request("lock cut")).matches(TextConnection.ACQUIRED);
    }

    /**
     * A script with more replies than the server keeps unsent for one connection: the server holds back
     * the requests it has read until the client takes its replies, and the end of the input, which
     * epoll and io_uring report while those are held back, must not throw them away.
     */
    @ParameterizedTest
    @EnumSource(value = TransportChoice.class, names = {"IO_URING", "EPOLL", "NIO"})
    void aScriptWhoseRepliesOutgrowTheWaterMarkGetsEveryReplyAfterItsHalfClose(TransportChoice transport)
            throws Exception {
        server = resources.closeLater(TestServer.startOn(transport, UnaryOperator.identity()));
        try (Socket script = slowReader()) {
            // The whole script and its end are sent before the client reads a single reply.
            sendScriptAndHalfClose(script).get(TextConnection.DEFAULT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);

            StatsReplies replies = StatsReplies.readUntilClosed(script);
            assertThat(replies.count()).isEqualTo(STATS_REQUESTS);
            assertThat(replies.last()).isEqualTo("END");
        }
    }

    /**
     * The server stops while it still answers a script that has ended its side: the client gets whole
     * replies and then the close, as soon as it has taken them. Having ended its side already, the
     * client will not close it in answer to the server's end, and the stop must not wait its flush
     * timeout for that.
     */
    @ParameterizedTest
    @EnumSource(value = TransportChoice.class, names = {"IO_URING", "EPOLL", "NIO"})
    void aStopWhileAHalfClosedScriptIsStillAnsweredEndsWhenItsRepliesAreTaken(TransportChoice transport)
            throws Exception {
        server = resources.closeLater(TestServer.startOn(transport, UnaryOperator.identity()));
        try (Socket script = slowReader()) {
            sendScriptAndHalfClose(script).get(TextConnection.DEFAULT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            awaitBackedUp();

            CompletableFuture<Long> stopping = CompletableFuture.supplyAsync(() -> {
                long start = System.nanoTime();
                server.server().close();
                return System.nanoTime() - start;
            }, background);

            assertThat(StatsReplies.readUntilClosed(script).last()).isEqualTo("END");
            long elapsed = stopping.get(TextConnection.DEFAULT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(Duration.ofNanos(elapsed)).isLessThan(STOP_FLUSH_TIMEOUT);
        }
    }

    /** Waits until the server holds replies back; each check is paced by a round trip on a connection of its own. */
    private void awaitBackedUp() {
        try (TextConnection pacer = server.connect()) {
            long deadline = System.nanoTime() + TextConnection.DEFAULT_TIMEOUT.toNanos();
            while (server.server().pendingWriteBytes() < 32 * 1024) {
                assertThat(System.nanoTime() - deadline).as("replies never backed up").isNegative();
                assertThat(pacer.request("echo pace")).isEqualTo("200 pace");
            }
        }
    }

    /** A client whose own kernel buffer takes few replies, so that the server soon has to hold them. */
    private Socket slowReader() throws IOException {
        Socket socket = new Socket();
        // Set before connecting, or the kernel grows it to megabytes.
        socket.setReceiveBufferSize(64 * 1024);
        socket.connect(new InetSocketAddress(server.host(), server.port()), 10_000);
        socket.setSoTimeout((int) TextConnection.DEFAULT_TIMEOUT.toMillis());
        return socket;
    }

    /** Sends {@link #STATS_REQUESTS} {@code stats} requests, then ends the client's side. */
    private CompletableFuture<Void> sendScriptAndHalfClose(Socket socket) {
        byte[] requests = "stats\n".repeat(STATS_REQUESTS).getBytes(StandardCharsets.US_ASCII);
        return CompletableFuture.runAsync(() -> {
            try {
                socket.getOutputStream().write(requests);
                socket.shutdownOutput();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, background);
    }

    private static boolean oneWaiterAndTheLeaverInGrace(Map<String, String> stats) {
        return "1".equals(stats.get("waiters")) && "1".equals(stats.get("sessions_in_grace"));
    }
}
