package io.deadbolt.it.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.deadbolt.client.LockClient;
import io.deadbolt.client.LockHandle;
import io.deadbolt.it.support.TestServerExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Many threads share one client and its one connection; every answer must reach the right caller. */
class LockClientPipeliningTest {
    private static final int THREADS = 16;
    private static final int OPS_PER_THREAD = 200;
    @RegisterExtension
    final TestServerExtension server = new TestServerExtension();
    private LockClient client;

    @BeforeEach
    void connectClient() {
        client = LockClient.connect(server.host(), server.port());
    }

    @AfterEach
    void closeClient() {
        client.close();
    }

    @Test
    void sixteenThreadsSharingOneClientEachGetTheirOwnAnswers() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<List<Long>>> results = new ArrayList<>();
        try {
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                results.add(pool.submit(() -> {
                    go.await();
                    List<Long> tokens = new ArrayList<>();
                    for (int op = 0; op < OPS_PER_THREAD; op++) {
                        String name = "t" + thread + "-op" + op;
                        LockHandle handle = client.lock(name, Duration.ofSeconds(5));
                        assertThat(handle.name()).isEqualTo(name);
                        assertThat(handle.isValid()).isTrue();
                        // A second request for the same name from this client must see it taken.
                        Optional<LockHandle> again = client.tryLock(name);
                        assertThat(again).isEmpty();
                        tokens.add(handle.token());
                        handle.unlock();
                        assertThat(handle.isValid()).isFalse();
                    }
                    return tokens;
                }));
            }
            go.countDown();
            Set<Long> allTokens = new HashSet<>();
            for (Future<List<Long>> result : results) {
                List<Long> tokens = result.get(60, TimeUnit.SECONDS);
                assertThat(tokens).hasSize(OPS_PER_THREAD).isSorted();
                allTokens.addAll(tokens);
            }
            // One token per grant, never reused.
            assertThat(allTokens).hasSize(THREADS * OPS_PER_THREAD);
        } finally {
            pool.shutdownNow();
        }
        assertThat(client.stats()).containsEntry("locks", "0")
                .containsEntry("cmd_lock", String.valueOf(THREADS * OPS_PER_THREAD));
    }

    @Test
    void pipelinedRequestsAreAnsweredInTheOrderTheyWereSent() throws Exception {
        int count = 1000;
        List<CompletableFuture<LockHandle>> futures = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            futures.add(client.lockAsync("burst-" + i, Duration.ZERO));
        }
        CompletableFuture<java.util.Map<String, String>> statsAfter = client.statsAsync();
        long previous = 0;
        for (int i = 0; i < count; i++) {
            LockHandle handle = futures.get(i).get(30, TimeUnit.SECONDS);
            assertThat(handle.name()).isEqualTo("burst-" + i);
            assertThat(handle.token()).isGreaterThan(previous);
            previous = handle.token();
        }
        assertThat(statsAfter.get(30, TimeUnit.SECONDS)).containsEntry("locks", String.valueOf(count));
        client.unlockAll();
        assertThat(client.stats()).containsEntry("locks", "0");
    }
}
