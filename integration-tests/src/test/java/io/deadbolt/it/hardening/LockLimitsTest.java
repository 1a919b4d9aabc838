package io.deadbolt.it.hardening;

import static io.deadbolt.it.support.TextConnection.numeric;
import static io.deadbolt.it.support.TextConnection.token;
import static org.assertj.core.api.Assertions.assertThat;

import io.deadbolt.it.support.TestServer;
import io.deadbolt.it.support.TextConnection;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The limits on what one client may take, each with its reply: locks per session, sessions in grace,
 * and the configured WAIT, timeout and name limits.
 */
class LockLimitsTest {

    @Test
    void aSessionAtItsLockLimitIsRefusedMoreUntilItUnlocks() {
        try (TestServer server = TestServer.start(config -> config.maxLocksPerSession(3))) {
            TextConnection a = server.connect();
            long first = a.acquire("a1");
            a.acquire("a2");
            a.acquire("a3");

            assertThat(a.request("lock a4")).isEqualTo("403 too many locks: at most 3 per session");
            assertThat(a.request("lock a4 5")).isEqualTo("403 too many locks: at most 3 per session");
            assertThat(a.request("lock a1")).isEqualTo("200 Acquired token=" + first);
            assertThat(a.request("unlock a1")).isEqualTo("200 Unlocked");
            assertThat(a.request("lock a4")).matches(TextConnection.ACQUIRED);

            TextConnection other = server.connect();
            assertThat(other.request("lock b1")).matches(TextConnection.ACQUIRED);
            Map<String, String> stats = other.stats();
            assertThat(numeric(stats, "lock_over_limit")).isEqualTo(2);
            assertThat(numeric(stats, "locks")).isEqualTo(4);
        }
    }

    @Test
    void oneSessionTooManyInGraceEndsTheGraceThatWouldEndSoonest() {
        try (TestServer server = TestServer.start(config -> config.maxSessionsInGrace(1))) {
            TextConnection watcher = server.connect();
            TextConnection patient = server.connect();
            TextConnection hasty = server.connect();
            String patientId = sessionOf(patient);
            String hastyId = sessionOf(hasty);
            assertThat(patient.request("set_timeout 60000")).isEqualTo("200 timeout set");
            assertThat(hasty.request("set_timeout 30000")).isEqualTo("200 timeout set");
            patient.acquire("p");
            hasty.acquire("h");
            TextConnection waiter = server.connect();
            waiter.send("lock h 30");

            patient.close();
            watcher.awaitStat("sessions_in_grace", 1);
            hasty.close();

            // hasty's grace would end 30 s after its close, before patient's (60 s after its own): it goes.
            assertThat(waiter.readLine()).matches(TextConnection.ACQUIRED);
            Map<String, String> stats = watcher.awaitStat("sessions_evicted", 1);
            assertThat(numeric(stats, "sessions_in_grace")).isEqualTo(1);
            assertThat(numeric(stats, "sessions_expired")).isEqualTo(1);
            assertThat(numeric(stats, "locks")).isEqualTo(2);
            assertThat(server.connect().request("conn_id " + hastyId)).isEqualTo("200 conn id set new");
            assertThat(server.connect().request("conn_id " + patientId)).isEqualTo("200 conn id set resumed locks=1");
        }
    }

    @Test
    void withTheDefaultLimitsManySessionsWaitOutTheirGraceTogether() {
        try (TestServer server = TestServer.start(config -> config.sessionTimeout(Duration.ofSeconds(30)))) {
            TextConnection watcher = server.connect();
            for (int i = 0; i < 20; i++) {
                TextConnection client = server.connect();
                client.acquire("n" + i);
                client.close();
            }
            Map<String, String> stats = watcher.awaitStat("sessions_in_grace", 20);
            assertThat(numeric(stats, "sessions_evicted")).isZero();
            assertThat(numeric(stats, "locks")).isEqualTo(20);
        }
    }

    @Test
    void theConfiguredWaitTimeoutAndLineLimitsAreAnsweredWithTheirLimit() {
        try (TestServer server = TestServer.start(config -> config
                .maxWait(Duration.ofMillis(2500))
                .maxTimeout(Duration.ofSeconds(5)))) {
            TextConnection a = server.connect();

            assertThat(a.request("lock x 2.6")).isEqualTo("400 wait too long: at most 2.5 seconds");
            assertThat(a.request("set_timeout 5001"))
                    .isEqualTo("400 invalid timeout \"5001\": expected milliseconds from 0 to 5000");
            assertThat(a.request("lock " + "n".repeat(251))).isEqualTo("400 invalid lock name");
            assertThat(a.request("conn_id " + "n".repeat(251))).isEqualTo("400 invalid conn id");
            assertThat(token(a.request("lock x 2.5"))).isPositive();
            assertThat(a.request("lock " + "n".repeat(250))).matches(TextConnection.ACQUIRED);
        }
    }

    private static String sessionOf(TextConnection connection) {
        String reply = connection.request("conn_id");
        assertThat(reply).matches("200 [0-9a-f]{32}");
        return reply.substring(4);
    }
}
