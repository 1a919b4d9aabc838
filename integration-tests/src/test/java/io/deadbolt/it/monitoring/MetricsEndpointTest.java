package io.deadbolt.it.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import io.deadbolt.it.support.TestServer;
import io.deadbolt.it.support.TestServerExtension;
import io.deadbolt.it.support.TextConnection;
import io.deadbolt.server.ServerConfig;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code /metrics} and {@code /healthz} read over real HTTP, as Prometheus and a load balancer would. */
class MetricsEndpointTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final List<String> DEADBOLT_FAMILIES = List.of(
            "deadbolt_locks_held", "deadbolt_waiters", "deadbolt_sessions", "deadbolt_connections",
            "deadbolt_commands_total", "deadbolt_lock_acquired_total", "deadbolt_lock_unavailable_total",
            "deadbolt_sessions_expired_total", "deadbolt_sessions_resumed_total", "deadbolt_lock_wait_seconds",
            "deadbolt_lock_hold_seconds");

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    @RegisterExtension
    final TestServerExtension server = new TestServerExtension(config -> config.httpPort(0));

    @Test
    void metricsAreValidPrometheusTextWithEverySeriesAndTheJvms() throws Exception {
        HttpResponse<String> response = get("/metrics");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type"))
                .contains("text/plain; version=0.0.4; charset=utf-8");
        PrometheusText metrics = PrometheusText.parse(response.body());
        assertThat(metrics.families()).containsAll(DEADBOLT_FAMILIES);
        assertThat(metrics.type("deadbolt_commands_total")).isEqualTo("counter");
        assertThat(metrics.type("deadbolt_locks_held")).isEqualTo("gauge");
        assertThat(metrics.type("deadbolt_lock_wait_seconds")).isEqualTo("histogram");
        assertThat(metrics.type("deadbolt_lock_hold_seconds")).isEqualTo("histogram");
        assertThat(metrics.value("deadbolt_sessions", "state", "connected")).isZero();
        assertThat(metrics.value("deadbolt_sessions", "state", "grace")).isZero();
        for (String command : List.of("lock", "unlock", "unlock_all", "conn_id", "set_timeout", "stats", "quit",
                "echo", "set_name", "info", "locks")) {
            assertThat(metrics.value("deadbolt_commands_total", "command", command)).as(command).isZero();
        }
        assertThat(metrics.families()).contains("jvm_memory_used_bytes", "jvm_threads_current",
                "jvm_gc_collection_seconds", "process_cpu_seconds_total");
    }

    @Test
    void seriesMoveWhenLocksMove() throws Exception {
        TextConnection holder = server.connect();
        TextConnection waiter = server.connect();
        holder.acquire("orders");
        assertThat(holder.request("lock orders")).matches(TextConnection.ACQUIRED);
        assertThat(waiter.request("lock orders")).isEqualTo("409 Unavailable");

        PrometheusText held = scrape();
        assertThat(held.value("deadbolt_locks_held")).isEqualTo(1);
        assertThat(held.value("deadbolt_connections")).isEqualTo(2);
        assertThat(held.value("deadbolt_sessions", "state", "connected")).isEqualTo(2);
        assertThat(held.value("deadbolt_commands_total", "command", "lock")).isEqualTo(3);
        assertThat(held.value("deadbolt_lock_acquired_total")).isEqualTo(2);
        assertThat(held.value("deadbolt_lock_unavailable_total")).isEqualTo(1);
        assertThat(held.value("deadbolt_lock_hold_seconds_count")).isZero();

        waiter.send("lock orders 10");
        PrometheusText waiting = awaitMetrics(m -> m.value("deadbolt_waiters") == 1);
        assertThat(waiting.value("deadbolt_lock_wait_seconds_count")).isZero();

        assertThat(holder.request("unlock orders")).isEqualTo("200 Unlocked");
        assertThat(waiter.readLine()).matches(TextConnection.ACQUIRED);
        PrometheusText handedOver = scrape();
        assertThat(handedOver.value("deadbolt_waiters")).isZero();
        assertThat(handedOver.value("deadbolt_locks_held")).isEqualTo(1);
        assertThat(handedOver.value("deadbolt_commands_total", "command", "unlock")).isEqualTo(1);
        assertThat(handedOver.value("deadbolt_lock_hold_seconds_count")).isEqualTo(1);
        assertThat(handedOver.value("deadbolt_lock_wait_seconds_count")).isEqualTo(1);
        assertThat(handedOver.value("deadbolt_lock_wait_seconds_bucket", "le", "+Inf")).isEqualTo(1);
        assertThat(handedOver.value("deadbolt_lock_wait_seconds_bucket", "le", "10.0"))
                .as("a wait granted before its 10 s ran out").isEqualTo(1);

        assertThat(waiter.request("unlock_all")).isEqualTo("200 OK");
        PrometheusText released = scrape();
        assertThat(released.value("deadbolt_locks_held")).isZero();
        assertThat(released.value("deadbolt_lock_hold_seconds_count")).isEqualTo(2);
        assertThat(released.value("deadbolt_commands_total", "command", "unlock_all")).isEqualTo(1);
    }

    @Test
    void aWaitThatRunsOutIsCountedAsAWaitAndAnUnavailable() throws Exception {
        TextConnection holder = server.connect();
        TextConnection waiter = server.connect();
        holder.acquire("x");

        assertThat(waiter.request("lock x 0.05")).isEqualTo("409 Unavailable");

        PrometheusText metrics = scrape();
        assertThat(metrics.value("deadbolt_lock_wait_seconds_count")).isEqualTo(1);
        assertThat(metrics.value("deadbolt_lock_wait_seconds_sum")).isGreaterThanOrEqualTo(0.05);
        assertThat(metrics.value("deadbolt_lock_wait_seconds_bucket", "le", "0.01")).isZero();
        assertThat(metrics.value("deadbolt_lock_unavailable_total")).isEqualTo(1);
    }

    @Test
    void sessionsInGraceExpiredAndResumedAreCounted() throws Exception {
        TextConnection first = server.connect();
        String id = first.request("conn_id").substring(4);
        first.acquire("a");
        first.close();
        PrometheusText inGrace = awaitMetrics(m -> m.value("deadbolt_sessions", "state", "grace") == 1);
        assertThat(inGrace.value("deadbolt_sessions", "state", "connected")).isZero();
        assertThat(inGrace.value("deadbolt_locks_held")).as("kept through the grace period").isEqualTo(1);

        TextConnection again = server.connect();
        assertThat(again.request("conn_id " + id)).isEqualTo("200 conn id set resumed locks=1");
        PrometheusText resumed = scrape();
        assertThat(resumed.value("deadbolt_sessions_resumed_total")).isEqualTo(1);
        assertThat(resumed.value("deadbolt_sessions", "state", "grace")).isZero();

        assertThat(again.request("set_timeout 0")).isEqualTo("200 timeout set");
        again.close();
        PrometheusText expired = awaitMetrics(m -> m.value("deadbolt_sessions_expired_total") == 1);
        assertThat(expired.value("deadbolt_locks_held")).isZero();
        assertThat(expired.value("deadbolt_lock_hold_seconds_count")).isEqualTo(1);
    }

    @Test
    void noLabelCarriesALockNameOrASessionId() throws Exception {
        TextConnection client = server.connect();
        String id = client.request("conn_id").substring(4);
        client.acquire("secret-lock-name");
        assertThat(client.request("set_name operator-label")).isEqualTo("200 name set");
        assertThat(client.request("info secret-lock-name")).startsWith("200 held");

        PrometheusText metrics = scrape();

        for (PrometheusText.Sample sample : metrics.samples()) {
            assertThat(sample.labels().values()).as(sample.toString())
                    .noneMatch(v -> v.contains("secret-lock-name") || v.contains(id) || v.contains("operator-label"));
        }
    }

    @Test
    void healthIs200WhileServingAnd503OnceShuttingDown() throws Exception {
        HttpResponse<String> serving = get("/healthz");
        assertThat(serving.statusCode()).isEqualTo(200);
        assertThat(serving.body()).isEqualTo("ok\n");

        server.server().beginShutdown();

        HttpResponse<String> stopping = get("/healthz");
        assertThat(stopping.statusCode()).isEqualTo(503);
        assertThat(stopping.body()).isEqualTo("shutting down\n");
        assertThat(get("/metrics").statusCode()).as("still scrapable while stopping").isEqualTo(200);
        assertThatLockPortRefuses();
    }

    @Test
    void otherPathsAre404AndOtherMethods405() throws Exception {
        assertThat(get("/").statusCode()).isEqualTo(404);
        assertThat(get("/metrics/x").statusCode()).isEqualTo(404);
        assertThat(get("/metrics?name[]=deadbolt_waiters").statusCode()).as("a query is not a path").isEqualTo(200);
        HttpResponse<String> post = send(HttpRequest.newBuilder(uri("/metrics"))
                .POST(HttpRequest.BodyPublishers.ofString("x")));
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("allow")).contains("GET");
        assertThat(send(HttpRequest.newBuilder(uri("/healthz")).DELETE()).statusCode()).isEqualTo(405);
        assertThat(send(HttpRequest.newBuilder(uri("/nowhere")).DELETE()).statusCode()).isEqualTo(404);
    }

    @Test
    void theHttpListenerIsOffUnlessAskedFor() {
        try (TestServer plain = TestServer.start()) {
            assertThat(plain.server().httpAddress()).isEmpty();
            assertThat(ServerConfig.defaults().httpPort()).isEqualTo(ServerConfig.OFF);
        }
    }

    private void assertThatLockPortRefuses() {
        try {
            TextConnection.open(server.host(), server.port()).close();
            throw new AssertionError("the lock port still accepts connections while shutting down");
        } catch (ConnectException expected) {
            // refused, as it should be
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * Scrapes until {@code condition} holds; fails after the timeout. Each scrape is a round trip to the
     * server, which paces the next, so nothing sleeps.
     */
    private PrometheusText awaitMetrics(Predicate<PrometheusText> condition) throws Exception {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (true) {
            PrometheusText metrics = scrape();
            if (condition.test(metrics)) {
                return metrics;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("metrics did not reach the expected state within " + TIMEOUT);
            }
        }
    }

    private PrometheusText scrape() throws Exception {
        HttpResponse<String> response = get("/metrics");
        assertThat(response.statusCode()).isEqualTo(200);
        return PrometheusText.parse(response.body());
    }

    private HttpResponse<String> get(String path) throws Exception {
        return send(HttpRequest.newBuilder(uri(path)).GET());
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.timeout(TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://" + server.host() + ":" + server.server().httpAddress().orElseThrow().getPort()
                + path);
    }
}
