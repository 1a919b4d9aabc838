package io.deadbolt.it.server;

import static io.deadbolt.it.support.TextConnection.numeric;
import static io.deadbolt.it.support.TextConnection.token;
import static org.assertj.core.api.Assertions.assertThat;

import io.deadbolt.it.support.TestServerExtension;
import io.deadbolt.it.support.TextConnection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Many connections fighting over one lock: it never has two holders and its tokens only rise. */
class ContentionTest {
    private static final int CLIENTS = 24;
    private static final int ROUNDS = 30;

    @RegisterExtension
    final TestServerExtension server = new TestServerExtension();
    private final ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);

    @AfterEach
    void stopPool() throws InterruptedException {
        pool.shutdownNow();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void oneHotLockHasAtMostOneHolderAndRisingTokens() throws Exception {
        AtomicInteger holders = new AtomicInteger();
        AtomicInteger mostHoldersSeen = new AtomicInteger();
        List<Long> tokensInGrantOrder = new ArrayList<>();
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> clients = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            TextConnection connection = server.connect();
            clients.add(pool.submit(() -> {
                go.await();
                for (int round = 0; round < ROUNDS; round++) {
                    long token = token(connection.request("lock hot 10"));
                    mostHoldersSeen.accumulateAndGet(holders.incrementAndGet(), Math::max);
                    // Appended while this client alone holds the lock, so in grant order.
                    synchronized (tokensInGrantOrder) {
                        tokensInGrantOrder.add(token);
                    }
                    // Hold it for a round trip, long enough for the others to pile up and try.
                    assertThat(connection.request("echo holding")).isEqualTo("200 holding");
                    holders.decrementAndGet();
                    assertThat(connection.request("unlock hot")).isEqualTo("200 Unlocked");
                }
                connection.close();
                return null;
            }));
        }

        go.countDown();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        for (Future<?> client : clients) {
            client.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        }

        assertThat(mostHoldersSeen.get()).isEqualTo(1);
        synchronized (tokensInGrantOrder) {
            assertThat(tokensInGrantOrder).hasSize(CLIENTS * ROUNDS);
            for (int i = 1; i < tokensInGrantOrder.size(); i++) {
                assertThat(tokensInGrantOrder.get(i)).as("grant %d", i).isGreaterThan(tokensInGrantOrder.get(i - 1));
            }
        }
        Map<String, String> stats = server.connect().stats();
        assertThat(numeric(stats, "locks")).isZero();
        assertThat(numeric(stats, "waiters")).isZero();
        assertThat(numeric(stats, "lock_acquired")).isEqualTo(CLIENTS * ROUNDS);
        assertThat(numeric(stats, "cmd_unlock")).isEqualTo(CLIENTS * ROUNDS);
        assertThat(numeric(stats, "lock_unavailable")).isZero();
    }
}
