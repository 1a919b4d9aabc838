package io.deadbolt.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.deadbolt.server.ServerConfig;
import io.deadbolt.server.net.NettyServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The generator against a real deadbolt server in this JVM, with runs of a fraction of a second. */
class LoadGeneratorSmokeTest {
    private static final Duration WARMUP = Duration.ofMillis(200);
    private static final Duration MEASURE = Duration.ofMillis(400);

    private static NettyServer server;
    private static LoadGenerator generator;

    @BeforeAll
    static void start() throws Exception {
        server = NettyServer.start(ServerConfig.builder().port(0).sessionTimeout(Duration.ofSeconds(1)).build());
        generator = new LoadGenerator(1);
    }

    @AfterAll
    static void stop() {
        generator.close();
        server.close();
    }

    private static RunSpec spec(Scenario scenario, String prefix, int connections, int depth, int idle) {
        return new RunSpec(Target.DEADBOLT, scenario, server.address(), connections, depth, idle, WARMUP, MEASURE,
                prefix, 0);
    }

    private static long locksSeenByServer() {
        return server.locks().snapshot().counters().cmdLock();
    }

    @Test
    void uncontendedRunCountsWhatTheServerServed() throws Exception {
        long before = locksSeenByServer();
        RunResult result = generator.run(spec(Scenario.UNCONTENDED, "u-", 4, 1, 0));

        assertThat(result.clean()).as(result.problem()).isTrue();
        assertThat(result.throughput()).isPositive();
        assertThat(result.micros(99)).isGreaterThanOrEqualTo(result.micros(50)).isPositive();
        // Every measured pair was one lock the server counted (warm-up and drain add more).
        assertThat(locksSeenByServer() - before).isGreaterThanOrEqualTo(result.completed() / 2);
        assertThat(server.locks().snapshot().heldLocks()).isZero();
    }

    @Test
    void pipelinedRunKeepsPairsInFlightAndReleasesEverything() throws Exception {
        RunResult result = generator.run(spec(Scenario.PIPELINED, "p-", 3, 8, 0));

        assertThat(result.clean()).as(result.problem()).isTrue();
        assertThat(result.throughput()).isPositive();
        assertThat(server.locks().snapshot().heldLocks()).isZero();
    }

    @Test
    void contendedRunHandsTheLockOnInFifoOrder() throws Exception {
        RunResult result = generator.run(spec(Scenario.CONTENDED, "c-", 10, 1, 0));

        assertThat(result.clean()).as(result.problem()).isTrue();
        assertThat(result.fifo().grants()).isPositive();
        assertThat(result.fifo().violations()).isZero();
        assertThat(result.throughputUnit()).isEqualTo("hand-offs/s");
        assertThat(server.locks().snapshot().waiters()).isZero();
    }

    @Test
    void scaleRunUsesEveryIdleConnectionOnceAndHoldsThemOpen() throws Exception {
        long before = locksSeenByServer();
        RunResult result = generator.run(spec(Scenario.IDLE_SCALE, "s-", 2, 1, 300));

        assertThat(result.clean()).as(result.problem()).isTrue();
        assertThat(locksSeenByServer() - before).isGreaterThanOrEqualTo(300 + result.completed() / 2);
    }

    @Test
    void runWithAWrongReplyRefusesToReportNumbers() throws Exception {
        InetSocketAddress address = server.address();
        try (Socket holder = new Socket(address.getAddress(), address.getPort())) {
            holder.setSoTimeout(5_000);
            OutputStream out = holder.getOutputStream();
            BufferedReader in = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
            // The generator's connection 0 uses the name <prefix>0-0: someone else holds it now.
            out.write("lock taken-0-0\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertThat(in.readLine()).startsWith("200 Acquired token=");

            RunResult result = generator.run(spec(Scenario.UNCONTENDED, "taken-", 2, 1, 0));

            assertThat(result.clean()).isFalse();
            assertThat(result.errors()).isPositive();
            assertThat(result.problem()).contains("lock taken-0-0 answered \"409 Unavailable\"");
            assertThatThrownBy(result::throughput).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("refusing to report");
            assertThatThrownBy(() -> result.micros(99)).isInstanceOf(IllegalStateException.class);
            assertThat(result.summary()).contains("REFUSED");
        }
    }
}
