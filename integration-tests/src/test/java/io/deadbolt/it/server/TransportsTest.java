package io.deadbolt.it.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.deadbolt.it.support.TestServer;
import io.deadbolt.it.support.TextConnection;
import io.deadbolt.server.TransportChoice;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.uring.IoUring;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The whole suite runs on the transport {@code auto} picks here; this runs what differs between
 * transports (how a read ends, how a close races a write) on each of them: every one this machine
 * offers serves, and one it does not offer is refused at start with the reason.
 */
class TransportsTest {
    /** The stop's flush timeout: a stop that ends sooner was ended by the clients closing, not by it. */
    private static final Duration FLUSH_TIMEOUT = Duration.ofSeconds(2);

    private final ExecutorService background = Executors.newCachedThreadPool();

    @AfterEach
    void stopBackground() {
        background.shutdownNow();
    }

    @Test
    void autoTakesIoUringWhereTheKernelAllowsItThenEpoll() {
        String expected = IoUring.isAvailable() ? "io_uring" : Epoll.isAvailable() ? "epoll" : "nio";

        try (TestServer server = TestServer.start(config -> config.transport(TransportChoice.AUTO))) {
            assertThat(server.server().transportName()).isEqualTo(expected);
        }
    }

    @ParameterizedTest
    @EnumSource(value = TransportChoice.class, names = {"IO_URING", "EPOLL", "NIO"})
    void eachTransportServesLocksWaitsAndHalfClosesAndStopsCleanly(TransportChoice transport) throws Exception {
        TestServer server = startOrSkip(transport);
        try {
            assertThat(server.server().transportName()).isEqualTo(transport.label());
            TextConnection holder = server.connect();
            TextConnection waiter = server.connect();
            String id = holder.request("conn_id").substring(4);
            long first = holder.acquire("x");

            // Split writes and pipelining, LF and CRLF.
            waiter.sendRaw("lo").sendRaw("ck x 10\r").sendRaw("\necho after the wait\n");
            holder.awaitStat("waiters", 1);
            assertThat(holder.request("unlock x")).isEqualTo("200 Unlocked");
            assertThat(TextConnection.token(waiter.readLine())).isGreaterThan(first);
            assertThat(waiter.readLine()).isEqualTo("200 after the wait");

            // A script that sends and then ends its side gets every reply, then the close.
            TextConnection script = server.connect();
            script.sendRaw("lock y\r\necho one\nunlock y\r\n").shutdownOutput();
            assertThat(script.readLine()).matches(TextConnection.ACQUIRED);
            assertThat(script.readLine()).isEqualTo("200 one");
            assertThat(script.readLine()).isEqualTo("200 Unlocked");
            assertThat(script.readUntilClosed()).isEmpty();

            // A session outlives its connection and is resumed with its lock. The script's is in grace too.
            holder.acquire("z");
            holder.close();
            TextConnection resumed = server.connect();
            resumed.awaitStat("sessions_in_grace", 2);
            assertThat(resumed.request("conn_id " + id)).isEqualTo("200 conn id set resumed locks=1");

            // Stopping answers the pending wait, and ends as soon as the clients close their side.
            TextConnection late = server.connect();
            late.send("lock z 30");
            resumed.awaitStat("waiters", 1);
            CompletableFuture<Long> stopping = CompletableFuture.supplyAsync(() -> {
                long start = System.nanoTime();
                server.server().close();
                return System.nanoTime() - start;
            }, background);
            assertThat(late.readLine()).isEqualTo("503 shutting down");
            for (TextConnection client : new TextConnection[] {late, resumed, waiter}) {
                assertThat(client.readUntilClosed()).isEmpty();
                client.close();
            }
            long elapsed = stopping.get(TextConnection.DEFAULT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(Duration.ofNanos(elapsed)).isLessThan(FLUSH_TIMEOUT);
        } finally {
            server.close();
        }
    }

    /**
     * Starts a server on {@code transport}, with a grace period no step of the test outlasts; where this
     * machine lacks the transport, checks the refusal and skips.
     */
    private static TestServer startOrSkip(TransportChoice transport) {
        if (!TestServer.isAvailable(transport)) {
            assertThatThrownBy(() -> TestServer.start(config -> config.transport(transport)))
                    .hasMessageContaining(transport.label() + " is not available on this machine");
        }
        return TestServer.startOn(transport, config -> config.sessionTimeout(Duration.ofSeconds(60))
                .maxTimeout(Duration.ofSeconds(60)));
    }
}
