package io.deadbolt.it.server;

import static io.deadbolt.it.support.TextConnection.numeric;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.deadbolt.it.support.TestServer;
import io.deadbolt.it.support.TestServerExtension;
import io.deadbolt.it.support.TextConnection;
import io.deadbolt.server.Version;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code set_timeout}, {@code stats}, {@code quit}, {@code echo}, unknown commands and blank lines. */
class SimpleCommandsTest {
    /** PROTOCOL.md's keys, in its order: elock's, memcached's general ones, then the lock keys. */
    private static final List<String> STAT_KEYS = List.of(
            "clients", "locks", "monitoring",
            "pid", "uptime", "time", "version", "rusage_user", "rusage_system", "curr_connections",
            "total_connections", "threads", "bytes_read", "bytes_written",
            "sessions", "sessions_in_grace", "waiters", "cmd_lock", "cmd_unlock", "lock_acquired",
            "lock_acquired_after_wait", "lock_unavailable", "sessions_expired", "sessions_resumed",
            "locks_released_by_expiry",
            "sessions_evicted", "lock_over_limit", "rejected_connections", "auth_cmds", "auth_errors");
    private static final List<String> COUNTERS = List.of("cmd_lock", "cmd_unlock", "lock_acquired",
            "lock_acquired_after_wait", "lock_unavailable", "sessions_expired", "sessions_resumed",
            "locks_released_by_expiry",
            "sessions_evicted", "lock_over_limit", "rejected_connections", "auth_cmds", "auth_errors");

    @RegisterExtension
    final TestServerExtension server = new TestServerExtension(config -> config.maxTimeout(Duration.ofSeconds(5)));

    @Test
    void statsThreadsIsTheNumberOfEventLoopsAskedFor() {
        try (TestServer three = TestServer.start(config -> config.ioThreads(3))) {
            TextConnection a = three.connect();
            assertThat(a.request("stats")).isEqualTo("200 STATS");

            assertThat(numeric(a.readStatsBody(), "threads")).isEqualTo(3);
        }
    }

    @Test
    void setTimeoutAcceptsZeroToTheMaximumAndRefusesTheRest() {
        TextConnection a = server.connect();

        assertThat(a.request("set_timeout 200")).isEqualTo("200 timeout set");
        assertThat(a.request("set_timeout 0")).isEqualTo("200 timeout set");
        assertThat(a.request("set_timeout 5000")).isEqualTo("200 timeout set");
        assertThat(a.request("set_timeout 5001"))
                .isEqualTo("400 invalid timeout \"5001\": expected milliseconds from 0 to 5000");
        assertThat(a.request("set_timeout -1"))
                .isEqualTo("400 invalid timeout \"-1\": expected milliseconds from 0 to 5000");
        assertThat(a.request("echo usable")).isEqualTo("200 usable");
        assertThat(a.request("lock x")).matches(TextConnection.ACQUIRED);
    }

    @Test
    void setTimeoutChangesHowLongTheSessionsLocksOutliveItsConnection() {
        TextConnection holder = server.connect();
        TextConnection waiter = server.connect();
        assertThat(holder.request("set_timeout 5000")).isEqualTo("200 timeout set");
        assertThat(holder.request("set_timeout 100")).isEqualTo("200 timeout set");
        holder.acquire("x");
        waiter.send("lock x 4");
        server.connect().awaitStat("waiters", 1);

        holder.close();

        // The last set_timeout counts: 100 ms, not 5 s and not the server's 2 s default.
        assertThat(waiter.readLine(Duration.ofMillis(1500))).matches(TextConnection.ACQUIRED);
    }

    @Test
    void statsListsEveryKeyInProtocolOrderWithWellFormedValues() {
        TextConnection a = server.connect();

        assertThat(a.request("stats")).isEqualTo("200 STATS");
        Map<String, String> stats = a.readStatsBody();

        assertThat(stats.keySet()).containsExactlyElementsOf(STAT_KEYS);
        for (String key : STAT_KEYS) {
            if (key.equals("version")) {
                assertThat(stats.get(key)).isEqualTo(Version.get()).isNotEqualTo("unknown");
            } else if (key.startsWith("rusage_")) {
                assertThat(stats.get(key)).as(key).matches("[0-9]+\\.[0-9]{6}");
            } else {
                assertThat(stats.get(key)).as(key).matches("0|[1-9][0-9]*");
            }
        }
        // The server runs inside this test JVM.
        assertThat(numeric(stats, "pid")).isEqualTo(ProcessHandle.current().pid());
        assertThat(numeric(stats, "time")).isCloseTo(System.currentTimeMillis() / 1000, within(2L));
        assertThat(numeric(stats, "uptime")).isLessThan(60);
        // The default: half the processors, at least one loop.
        assertThat(numeric(stats, "threads")).isEqualTo(Math.max(1, Runtime.getRuntime().availableProcessors() / 2));
        assertThat(numeric(stats, "clients")).isEqualTo(1);
        assertThat(numeric(stats, "monitoring")).isEqualTo(1);
        assertThat(numeric(stats, "curr_connections")).isEqualTo(1);
        assertThat(numeric(stats, "total_connections")).isEqualTo(1);
        assertThat(numeric(stats, "sessions")).isEqualTo(1);
        assertThat(numeric(stats, "locks")).isZero();
        assertThat(numeric(stats, "waiters")).isZero();
        assertThat(numeric(stats, "sessions_in_grace")).isZero();
        for (String counter : COUNTERS) {
            assertThat(numeric(stats, counter)).as(counter).isZero();
        }
    }

    @Test
    void statsGaugesAndCountersFollowWhatClientsDo() {
        TextConnection watcher = server.connect();
        TextConnection a = server.connect();
        TextConnection b = server.connect();
        Map<String, String> start = watcher.stats();

        a.acquire("x");
        a.acquire("x");
        assertThat(b.request("lock x")).isEqualTo("409 Unavailable");
        b.send("lock x 5");
        Map<String, String> waiting = watcher.awaitStat("waiters", 1);
        assertThat(numeric(waiting, "clients")).isEqualTo(3);
        assertThat(numeric(waiting, "monitoring")).isEqualTo(3);
        assertThat(numeric(waiting, "total_connections")).isEqualTo(3);
        assertThat(numeric(waiting, "sessions")).isEqualTo(3);
        assertThat(numeric(waiting, "locks")).isEqualTo(1);
        assertThat(numeric(waiting, "cmd_lock")).isEqualTo(4);
        assertThat(numeric(waiting, "lock_acquired")).isEqualTo(2);
        assertThat(numeric(waiting, "lock_unavailable")).isEqualTo(1);
        assertThat(numeric(waiting, "lock_acquired_after_wait")).isZero();
        assertThat(numeric(waiting, "bytes_read")).isGreaterThan(numeric(start, "bytes_read"));
        assertThat(numeric(waiting, "bytes_written")).isGreaterThan(numeric(start, "bytes_written"));

        assertThat(a.request("unlock x")).isEqualTo("200 Unlocked");
        assertThat(b.readLine()).matches(TextConnection.ACQUIRED);
        assertThat(a.request("unlock y")).isEqualTo("403 not_locked");
        Map<String, String> handedOver = watcher.stats();
        assertThat(numeric(handedOver, "waiters")).isZero();
        assertThat(numeric(handedOver, "locks")).isEqualTo(1);
        assertThat(numeric(handedOver, "cmd_unlock")).isEqualTo(2);
        assertThat(numeric(handedOver, "lock_acquired")).isEqualTo(3);
        assertThat(numeric(handedOver, "lock_acquired_after_wait")).isEqualTo(1);

        b.close();
        Map<String, String> closed = watcher.awaitStat("monitoring", 2);
        assertThat(numeric(closed, "curr_connections")).isEqualTo(2);
        assertThat(numeric(closed, "total_connections")).isEqualTo(3);
        assertThat(numeric(closed, "clients")).isEqualTo(2);
        assertThat(numeric(closed, "sessions_in_grace")).isEqualTo(1);
        assertThat(numeric(closed, "locks")).isEqualTo(1);
    }

    @Test
    void quitSaysGoodbyeClosesAndIgnoresWhatWasPipelinedAfterIt() {
        TextConnection a = server.connect();

        a.sendRaw("quit\r\necho after\r\nlock q\r\n");

        assertThat(a.readLine()).isEqualTo("200 Hey, it was nice seeing you.");
        assertThat(a.readUntilClosed()).isEmpty();
        assertThat(server.connect().request("lock q")).matches(TextConnection.ACQUIRED);
    }

    @Test
    void echoJoinsItsArgumentsWithSingleSpaces() {
        TextConnection a = server.connect();

        assertThat(a.request("echo hello")).isEqualTo("200 hello");
        assertThat(a.request("echo  a \t b   c  ")).isEqualTo("200 a b c");
        assertThat(a.request("echo héllo wörld ✓")).isEqualTo("200 héllo wörld ✓");
        assertThat(a.request("echo")).isEqualTo("400 wrong number of arguments for 'echo'");
    }

    @Test
    void unknownCommandsAreNamedInTheReplyAndCommandWordsAreCaseSensitive() {
        TextConnection a = server.connect();

        assertThat(a.request("frobnicate x y")).isEqualTo("400 Unknown command: \"frobnicate\"");
        assertThat(a.request("LOCK x")).isEqualTo("400 Unknown command: \"LOCK\"");
        assertThat(a.request("Echo hi")).isEqualTo("400 Unknown command: \"Echo\"");
        assertThat(a.request("lock_all")).isEqualTo("400 Unknown command: \"lock_all\"");
        assertThat(a.request("echo usable")).isEqualTo("200 usable");
    }

    @Test
    void blankLinesGetNoReply() {
        TextConnection a = server.connect();

        a.sendRaw("\r\n\n   \r\n\t\r\n \t \n");
        a.send("echo first reply");

        assertThat(a.readLine()).isEqualTo("200 first reply");
        assertThat(a.request("lock x")).matches(TextConnection.ACQUIRED);
    }
}
