package io.deadbolt.it.hardening;

import static io.deadbolt.it.support.TextConnection.numeric;
import static org.assertj.core.api.Assertions.assertThat;

import io.deadbolt.it.support.TestServer;
import io.deadbolt.it.support.TestServerExtension;
import io.deadbolt.it.support.TextConnection;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code --max-line-time}: a request line left unfinished longer than the limit gets
 * {@code 408 request timed out}, in order, and the connection is closed; an idle connection is not.
 */
class LineTimeTest {
    private static final Duration LINE_TIME = Duration.ofMillis(150);
    /** Twice the limit: long enough that a wrong close would have happened. */
    private static final Duration QUIET = Duration.ofMillis(300);

    @RegisterExtension
    final TestServerExtension server = new TestServerExtension(config -> config.maxLineTime(LINE_TIME));

    @Test
    void aLineLeftUnfinishedIsAnsweredInOrderAndTheConnectionClosed() {
        TextConnection slow = server.connect();

        slow.sendRaw("echo first\r\nlock half-sent");

        assertThat(slow.readLine()).isEqualTo("200 first");
        assertThat(slow.readLine()).isEqualTo("408 request timed out");
        assertThat(slow.readUntilClosed()).isEmpty();
        assertThat(server.connect().request("lock half-sent")).matches(TextConnection.ACQUIRED);
    }

    @Test
    void theSessionOfATimedOutConnectionKeepsItsLocksForItsGrace() {
        TextConnection watcher = server.connect();
        TextConnection slow = server.connect();
        slow.acquire("kept");

        slow.sendRaw("unlock ke");

        assertThat(slow.readLine()).isEqualTo("408 request timed out");
        assertThat(slow.readUntilClosed()).isEmpty();
        Map<String, String> stats = watcher.awaitStat("sessions_in_grace", 1);
        assertThat(numeric(stats, "locks")).isEqualTo(1);
        assertThat(watcher.request("lock kept")).isEqualTo("409 Unavailable");
    }

    @Test
    void anIdleConnectionIsNeverClosed() {
        TextConnection idle = server.connect();
        TextConnection usedThenIdle = server.connect();
        assertThat(usedThenIdle.request("lock mine")).matches(TextConnection.ACQUIRED);

        assertThat(idle.nothingWithin(QUIET)).isTrue();
        assertThat(usedThenIdle.nothingWithin(QUIET)).isTrue();

        assertThat(idle.request("echo still here")).isEqualTo("200 still here");
        assertThat(usedThenIdle.request("echo still here")).isEqualTo("200 still here");
    }

    @Test
    void aLineSentInPiecesWithinTheTimeIsServed() {
        TextConnection a = server.connect();

        a.sendRaw("ec");
        a.sendRaw("ho in ");
        a.sendRaw("pieces\r");
        a.sendRaw("\n");

        assertThat(a.readLine()).isEqualTo("200 in pieces");
        assertThat(a.nothingWithin(QUIET)).isTrue();
        assertThat(a.request("echo open")).isEqualTo("200 open");
    }

    @Test
    void aLineLeftUnfinishedBehindAWaitIsAnsweredAfterTheWait() {
        TextConnection holder = server.connect();
        holder.acquire("x");
        TextConnection waiter = server.connect();

        waiter.sendRaw("lock x 10\r\necho never finis");
        holder.awaitStat("waiters", 1);

        assertThat(holder.request("unlock x")).isEqualTo("200 Unlocked");
        assertThat(waiter.readLine()).matches(TextConnection.ACQUIRED);
        assertThat(waiter.readLine()).isEqualTo("408 request timed out");
        assertThat(waiter.readUntilClosed()).isEmpty();
    }

    @Test
    void zeroMeansNoLimitRatherThanAnInstantOne() {
        try (TestServer unlimited = TestServer.start(config -> config.maxLineTime(Duration.ZERO))) {
            TextConnection a = unlimited.connect();

            a.sendRaw("echo slow");

            assertThat(a.nothingWithin(QUIET)).isTrue();
            a.send(" but whole");
            assertThat(a.readLine()).isEqualTo("200 slow but whole");
        }
    }
}
