package io.deadbolt.it.server;

import static io.deadbolt.it.support.TextConnection.token;
import static org.assertj.core.api.Assertions.assertThat;

import io.deadbolt.it.support.TestServerExtension;
import io.deadbolt.it.support.TextConnection;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** How requests are cut into lines and how replies are ordered, over real sockets. */
class FramingTest {
    private static final Duration QUIET = Duration.ofMillis(150);

    @RegisterExtension
    final TestServerExtension server = new TestServerExtension();

    @Test
    void linesMayEndInCrLfOrInLfAlone() {
        TextConnection a = server.connect();

        a.sendRaw("echo crlf\r\n");
        assertThat(a.readLine()).isEqualTo("200 crlf");
        a.sendRaw("echo lf\n");
        assertThat(a.readLine()).isEqualTo("200 lf");
        a.sendRaw("echo one\necho two\r\nlock x\n");
        assertThat(a.readLines(3)).satisfiesExactly(
                line -> assertThat(line).isEqualTo("200 one"),
                line -> assertThat(line).isEqualTo("200 two"),
                line -> assertThat(line).matches(TextConnection.ACQUIRED));
    }

    @Test
    void tabsAndRunsOfBlanksSeparateTokensAndSurroundingOnesAreIgnored() {
        TextConnection a = server.connect();
        TextConnection b = server.connect();

        long token = token(a.request("\tlock\tx\t"));
        assertThat(a.request("  lock \t x \t 0.5 ")).isEqualTo("200 Acquired token=" + token);
        assertThat(b.request("lock\t\tx\t0")).isEqualTo("409 Unavailable");
        assertThat(a.request("\t unlock\t \tx")).isEqualTo("200 Unlocked");
        assertThat(a.request("\tstats \t")).isEqualTo("200 STATS");
        assertThat(a.readStatsBody()).containsEntry("locks", "0");
    }

    @Test
    void aRequestSplitAcrossWritesIsAnsweredOnlyOnceItsLineIsComplete() {
        TextConnection a = server.connect();

        a.sendRaw("lo");
        a.sendRaw("ck spl");
        a.sendRaw("it 0\r");
        // A CR is not a line end: nothing may be answered before the LF.
        assertThat(a.nothingWithin(QUIET)).isTrue();
        a.sendRaw("\n");

        assertThat(a.readLine()).matches(TextConnection.ACQUIRED);
        assertThat(server.connect().request("lock split")).isEqualTo("409 Unavailable");
    }

    @Test
    void requestsSentByteByByteAreAnsweredInOrder() {
        TextConnection a = server.connect();
        TextConnection b = server.connect();
        // The Cyrillic name's two-byte characters are cut between writes too.
        byte[] requests = "lock ключ\r\necho one byte at a time\nunlock missing\r\n".getBytes(StandardCharsets.UTF_8);

        for (byte octet : requests) {
            a.sendRaw(new byte[] {octet});
        }

        assertThat(a.readLine()).matches(TextConnection.ACQUIRED);
        assertThat(a.readLine()).isEqualTo("200 one byte at a time");
        assertThat(a.readLine()).isEqualTo("403 not_locked");
        assertThat(b.request("unlock ключ")).isEqualTo("403 not_yours");
    }

    @Test
    void manyRequestsPipelinedInOneWriteAreAnsweredInOrder() {
        TextConnection a = server.connect();
        StringBuilder requests = new StringBuilder();
        int count = 300;
        for (int i = 0; i < count; i++) {
            requests.append("lock n").append(i).append("\r\necho ").append(i).append('\n');
        }

        a.sendRaw(requests.toString());

        long previous = 0;
        for (int i = 0; i < count; i++) {
            long token = token(a.readLine());
            assertThat(token).isGreaterThan(previous);
            previous = token;
            assertThat(a.readLine()).isEqualTo("200 " + i);
        }
        assertThat(a.stat("locks")).isEqualTo(count);
    }

    @Test
    void aClientThatHalfClosesAfterItsRequestsStillGetsEveryReply() {
        TextConnection a = server.connect();

        a.sendRaw("echo from a script\r\nlock x\r\nstats\r\n").shutdownOutput();

        assertThat(a.readLine()).isEqualTo("200 from a script");
        assertThat(a.readLine()).matches(TextConnection.ACQUIRED);
        assertThat(a.readLine()).isEqualTo("200 STATS");
        assertThat(a.readStatsBody()).containsEntry("locks", "1");
        assertThat(a.readUntilClosed()).isEmpty();
    }

    @Test
    void aWaitingLockHoldsBackTheRepliesToRequestsPipelinedAfterIt() {
        TextConnection holder = server.connect();
        TextConnection waiter = server.connect();
        long held = holder.acquire("x");

        waiter.sendRaw("lock x 5\r\necho after\r\nunlock x\r\nlock x\r\n");
        assertThat(waiter.nothingWithin(QUIET)).isTrue();
        assertThat(holder.request("unlock x")).isEqualTo("200 Unlocked");

        long granted = token(waiter.readLine());
        assertThat(granted).isGreaterThan(held);
        assertThat(waiter.readLine()).isEqualTo("200 after");
        assertThat(waiter.readLine()).isEqualTo("200 Unlocked");
        assertThat(token(waiter.readLine())).isGreaterThan(granted);
        assertThat(waiter.request("echo done")).isEqualTo("200 done");
    }

    @Test
    void requestsPipelinedBehindAWaitThatRunsOutAreAnsweredAfterIts409() {
        TextConnection holder = server.connect();
        TextConnection waiter = server.connect();
        holder.acquire("x");

        waiter.sendRaw("lock x 0.2\r\necho after\r\n");

        assertThat(waiter.readLine()).isEqualTo("409 Unavailable");
        assertThat(waiter.readLine()).isEqualTo("200 after");
    }

    @Test
    void requestsSentWhileALockWaitsAreAnsweredInOrderOnceItIsGranted() {
        TextConnection holder = server.connect();
        TextConnection waiter = server.connect();
        holder.acquire("x");
        waiter.send("lock x 5");
        holder.awaitStat("waiters", 1);

        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            waiter.send("echo queued " + i);
            expected.add("200 queued " + i);
        }
        assertThat(waiter.nothingWithin(QUIET)).isTrue();
        assertThat(holder.request("unlock x")).isEqualTo("200 Unlocked");

        assertThat(waiter.readLine()).matches(TextConnection.ACQUIRED);
        assertThat(waiter.readLines(expected.size())).containsExactlyElementsOf(expected);
    }
}
