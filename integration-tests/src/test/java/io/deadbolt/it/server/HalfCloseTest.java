package io.deadbolt.it.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.deadbolt.it.support.TestServer;
import io.deadbolt.it.support.TextConnection;
import io.deadbolt.server.TransportChoice;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.uring.IoUring;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A client that ends its side of the connection ({@code nc -N} at the end of its input, a script's
 * half-close) after its requests gets the replies to every whole line it sent, then the close; a wait
 * it leaves behind ends at once, as on a close. On every transport, since each notices the end of the
 * input in its own way.
 */
class HalfCloseTest {
    private TestServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @ParameterizedTest
    @EnumSource(value = TransportChoice.class, names = {"IO_URING", "EPOLL", "NIO"})
    void aHalfCloseDuringAWaitEndsTheWaitAtOnceAndTheLockGoesToTheNextWaiter(TransportChoice transport) {
        server = startOrSkip(transport);
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

    /** A line cut short can mean something else than the whole line would have: {@code lock x 3} of {@code lock x 30}. */
    @ParameterizedTest
    @EnumSource(value = TransportChoice.class, names = {"IO_URING", "EPOLL", "NIO"})
    void anUnfinishedLastLineIsNotRunAndTheLinesBeforeItAreAnswered(TransportChoice transport) {
        server = startOrSkip(transport);
        TextConnection script = server.connect();

        script.sendRaw("echo one\nlock cut").shutdownOutput();

        assertThat(script.readLine()).isEqualTo("200 one");
        assertThat(script.readUntilClosed()).isEmpty();
        assertThat(server.connect().request("lock cut")).matches(TextConnection.ACQUIRED);
    }

    private static boolean oneWaiterAndTheLeaverInGrace(Map<String, String> stats) {
        return "1".equals(stats.get("waiters")) && "1".equals(stats.get("sessions_in_grace"));
    }

    /** A server on {@code transport}; skips where this machine lacks it (TransportsTest checks the refusal). */
    private static TestServer startOrSkip(TransportChoice transport) {
        boolean available = switch (transport) {
            case IO_URING -> IoUring.isAvailable();
            case EPOLL -> Epoll.isAvailable();
            default -> true;
        };
        Assumptions.assumeTrue(available, transport.label() + " is not available on this machine");
        return TestServer.start(config -> config.transport(transport));
    }
}
