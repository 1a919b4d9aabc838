package io.deadbolt.it.server;

import static io.deadbolt.it.support.TextConnection.numeric;
import static io.deadbolt.it.support.TextConnection.token;
import static org.assertj.core.api.Assertions.assertThat;

import io.deadbolt.it.support.TestServerExtension;
import io.deadbolt.it.support.TextConnection;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Sessions across connections: {@code conn_id}, resuming after a disconnect, grace periods and their
 * counters. The server's default grace here is TestServer's 2 s, so a session that is not meant to
 * expire does not within a test; tests that need an expiry shorten it with {@code set_timeout}.
 */
class SessionsTest {
    private static final String ID = "[0-9a-f]{32}";

    @RegisterExtension
    final TestServerExtension server = new TestServerExtension();
    /** A connection that only watches: it never uses its own session. */
    private TextConnection watcher;

    @BeforeEach
    void connectWatcher() {
        watcher = server.connect();
    }

    @Test
    void connIdIsA128BitHexIdThatDiffersBetweenConnections() {
        TextConnection a = server.connect();
        TextConnection b = server.connect();

        String idA = a.request("conn_id");
        String idB = b.request("conn_id");

        assertThat(idA).matches("200 " + ID);
        assertThat(idB).matches("200 " + ID);
        assertThat(idA).isNotEqualTo(idB);
        assertThat(a.request("conn_id")).isEqualTo(idA);
    }

    @Test
    void connIdWithAnUnknownIdStartsANewSessionUnderThatId() {
        TextConnection a = server.connect();

        assertThat(a.request("conn_id my-session-1")).isEqualTo("200 conn id set new");
        assertThat(a.request("conn_id")).isEqualTo("200 my-session-1");
        assertThat(a.request("lock x")).matches(TextConnection.ACQUIRED);
        assertThat(watcher.stat("sessions_resumed")).isZero();
    }

    @Test
    void echoAndStatsDoNotUseTheSession() {
        TextConnection a = server.connect();

        assertThat(a.request("echo hi")).isEqualTo("200 hi");
        a.stats();
        assertThat(a.request("conn_id fresh")).isEqualTo("200 conn id set new");
    }

    @ParameterizedTest
    @ValueSource(strings = {"lock x", "unlock x", "unlock_all", "set_timeout 1000", "conn_id", "conn_id other"})
    void connIdIdIsRefusedOnceTheConnectionHasUsedItsSession(String firstRequest) {
        TextConnection a = server.connect();
        a.send(firstRequest);
        a.readLine();

        assertThat(a.request("conn_id late")).isEqualTo("403 cannot set conn id");
        assertThat(a.request("echo usable")).isEqualTo("200 usable");
    }

    @Test
    void connIdIdIsRefusedWhileAnotherOpenConnectionHoldsThatSession() {
        TextConnection owner = server.connect();
        TextConnection intruder = server.connect();
        String id = owner.request("conn_id").substring(4);
        long token = owner.acquire("x");

        assertThat(intruder.request("conn_id " + id)).isEqualTo("403 cannot set conn id");
        assertThat(intruder.request("unlock x")).isEqualTo("403 not_yours");

        // A refusal does not use the connection's session: once the owner is gone, a retry takes over.
        TextConnection retrier = server.connect();
        assertThat(retrier.request("conn_id " + id)).isEqualTo("403 cannot set conn id");
        owner.close();
        watcher.awaitStat("sessions_in_grace", 1);
        assertThat(retrier.request("conn_id " + id)).isEqualTo("200 conn id set resumed locks=1");
        assertThat(retrier.request("lock x")).isEqualTo("200 Acquired token=" + token);
    }

    @Test
    void aSessionResumedOnANewConnectionKeepsItsLocksAndTokens() {
        TextConnection first = server.connect();
        TextConnection other = server.connect();
        String id = first.request("conn_id").substring(4);
        long tokenX = first.acquire("x");
        long tokenY = first.acquire("y");
        first.close();
        watcher.awaitStat("sessions_in_grace", 1);
        assertThat(other.request("lock x")).isEqualTo("409 Unavailable");

        TextConnection second = server.connect();
        assertThat(second.request("conn_id " + id)).isEqualTo("200 conn id set resumed locks=2");

        assertThat(second.request("lock x")).isEqualTo("200 Acquired token=" + tokenX);
        assertThat(second.request("lock y")).isEqualTo("200 Acquired token=" + tokenY);
        assertThat(other.request("lock x")).isEqualTo("409 Unavailable");
        assertThat(other.request("unlock y")).isEqualTo("403 not_yours");
        assertThat(second.request("unlock y")).isEqualTo("200 Unlocked");
        assertThat(other.request("lock y")).matches(TextConnection.ACQUIRED);

        Map<String, String> stats = watcher.stats();
        assertThat(numeric(stats, "sessions_resumed")).isEqualTo(1);
        assertThat(numeric(stats, "sessions_in_grace")).isZero();
        assertThat(numeric(stats, "sessions_expired")).isZero();
    }

    /** The session's 300 ms grace, not the server's 2 s default, applies after the resumed connection closes. */
    @Test
    void aResumedSessionKeepsItsTimeout() {
        TextConnection first = server.connect();
        TextConnection waiter = server.connect();
        String id = first.request("conn_id").substring(4);
        assertThat(first.request("set_timeout 300")).isEqualTo("200 timeout set");
        first.acquire("x");
        first.close();
        watcher.awaitStat("sessions_in_grace", 1);
        TextConnection second = server.connect();
        assertThat(second.request("conn_id " + id)).isEqualTo("200 conn id set resumed locks=1");

        second.close();

        assertThat(waiter.request("lock x 1.5")).matches(TextConnection.ACQUIRED);
    }

    @Test
    void quitLeavesTheSessionsLocksHeldForItsGraceLikeAnyDisconnect() {
        TextConnection first = server.connect();
        String id = first.request("conn_id").substring(4);
        long token = first.acquire("x");
        assertThat(first.request("quit")).isEqualTo("200 Hey, it was nice seeing you.");
        first.assertClosedByServer();

        Map<String, String> stats = watcher.awaitStat("sessions_in_grace", 1);
        assertThat(numeric(stats, "locks")).isEqualTo(1);
        assertThat(watcher.request("lock x")).isEqualTo("409 Unavailable");
        TextConnection second = server.connect();
        assertThat(second.request("conn_id " + id)).isEqualTo("200 conn id set resumed locks=1");
        assertThat(second.request("lock x")).isEqualTo("200 Acquired token=" + token);
    }

    @Test
    void graceExpiryReleasesTheLocksToWaitersAndForgetsTheSession() {
        TextConnection holder = server.connect();
        TextConnection waiter = server.connect();
        String id = holder.request("conn_id").substring(4);
        assertThat(holder.request("set_timeout 300")).isEqualTo("200 timeout set");
        long tokenX = holder.acquire("x");
        holder.acquire("y");
        waiter.send("lock x 5");
        watcher.awaitStat("waiters", 1);

        holder.close();

        assertThat(token(waiter.readLine())).isGreaterThan(tokenX);
        Map<String, String> stats = watcher.awaitStat("sessions_expired", 1);
        assertThat(numeric(stats, "locks_released_by_expiry")).isEqualTo(2);
        assertThat(numeric(stats, "sessions_in_grace")).isZero();
        assertThat(numeric(stats, "locks")).isEqualTo(1);
        assertThat(numeric(stats, "lock_acquired_after_wait")).isEqualTo(1);
        assertThat(watcher.request("lock y")).matches(TextConnection.ACQUIRED);

        // The expired session is gone: its id now names a new, empty session.
        TextConnection late = server.connect();
        assertThat(late.request("conn_id " + id)).isEqualTo("200 conn id set new");
        assertThat(late.request("unlock x")).isEqualTo("403 not_yours");
    }

    @Test
    void graceOfZeroReleasesTheLocksAsSoonAsTheConnectionCloses() {
        TextConnection holder = server.connect();
        TextConnection waiter = server.connect();
        assertThat(holder.request("set_timeout 0")).isEqualTo("200 timeout set");
        long held = holder.acquire("x");
        waiter.send("lock x 5");
        watcher.awaitStat("waiters", 1);

        holder.close();

        assertThat(token(waiter.readLine(Duration.ofSeconds(1)))).isGreaterThan(held);
        Map<String, String> stats = watcher.awaitStat("sessions_expired", 1);
        assertThat(numeric(stats, "locks_released_by_expiry")).isEqualTo(1);
        assertThat(numeric(stats, "sessions_in_grace")).isZero();
    }

    @Test
    void aPendingWaitIsCancelledAtOnceWhenItsConnectionCloses() {
        TextConnection holder = server.connect();
        TextConnection leaver = server.connect();
        TextConnection stayer = server.connect();
        long held = holder.acquire("x");
        leaver.send("lock x 5");
        watcher.awaitStat("waiters", 1);
        stayer.send("lock x 5");
        watcher.awaitStat("waiters", 2);

        leaver.close();
        // Well before the 5 s wait would have ended on its own.
        watcher.awaitStats(stats -> "1".equals(stats.get("waiters")), Duration.ofSeconds(2));

        assertThat(holder.request("unlock x")).isEqualTo("200 Unlocked");
        assertThat(token(stayer.readLine())).isGreaterThan(held);
        assertThat(stayer.request("unlock x")).isEqualTo("200 Unlocked");
        Map<String, String> stats = watcher.stats();
        assertThat(numeric(stats, "locks")).isZero();
        assertThat(numeric(stats, "waiters")).isZero();
        assertThat(numeric(stats, "lock_acquired_after_wait")).isEqualTo(1);
    }

    @Test
    void aDisconnectedSessionCountsAsInGraceNotAsAClient() {
        TextConnection holder = server.connect();
        holder.acquire("x");
        Map<String, String> before = watcher.stats();
        assertThat(numeric(before, "clients")).isEqualTo(2);
        assertThat(numeric(before, "sessions")).isEqualTo(2);
        assertThat(numeric(before, "sessions_in_grace")).isZero();

        holder.close();

        // The connection count and the session's state change in two steps; wait for both.
        Map<String, String> after = watcher.awaitStats(stats -> "1".equals(stats.get("sessions_in_grace"))
                && "1".equals(stats.get("curr_connections")), TextConnection.DEFAULT_TIMEOUT);
        assertThat(numeric(after, "clients")).isEqualTo(1);
        assertThat(numeric(after, "sessions")).isEqualTo(2);
        assertThat(numeric(after, "locks")).isEqualTo(1);
        assertThat(numeric(after, "monitoring")).isEqualTo(1);
        assertThat(numeric(after, "curr_connections")).isEqualTo(1);
    }

    @Test
    void anUnusedSessionIsForgottenWhenItsConnectionCloses() {
        TextConnection idle = server.connect();
        assertThat(idle.request("echo hi")).isEqualTo("200 hi");
        assertThat(numeric(watcher.stats(), "sessions")).isEqualTo(2);

        idle.close();

        Map<String, String> stats = watcher.awaitStat("sessions", 1);
        assertThat(numeric(stats, "sessions_in_grace")).isZero();
        assertThat(numeric(stats, "sessions_expired")).isZero();
    }

    /**
     * Grace 600 ms. The session disconnects at t0, is resumed after a 300 ms wait that proves its lock
     * still held, and disconnects again at t2 > t0 + 300. A kept first deadline would free the lock at
     * t0 + 600 < t2 + 300, by the end of the second 300 ms probe; a full new grace keeps it until t2 + 600.
     */
    @Test
    void aResumedSessionThatDisconnectsAgainGetsAFullNewGracePeriod() {
        TextConnection first = server.connect();
        TextConnection probe = server.connect();
        String id = first.request("conn_id").substring(4);
        assertThat(first.request("set_timeout 600")).isEqualTo("200 timeout set");
        long token = first.acquire("x");

        first.close();
        assertThat(probe.request("lock x 0.3")).isEqualTo("409 Unavailable");
        TextConnection second = server.connect();
        assertThat(second.request("conn_id " + id)).isEqualTo("200 conn id set resumed locks=1");
        second.close();
        watcher.awaitStat("sessions_in_grace", 1);

        assertThat(probe.request("lock x 0.3")).isEqualTo("409 Unavailable");
        assertThat(token(probe.request("lock x 5"))).isGreaterThan(token);
        Map<String, String> stats = watcher.awaitStat("sessions_expired", 1);
        assertThat(numeric(stats, "sessions_resumed")).isEqualTo(1);
        assertThat(numeric(stats, "locks_released_by_expiry")).isEqualTo(1);
    }
}
