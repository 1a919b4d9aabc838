package io.deadbolt.it.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.deadbolt.client.ClientClosedException;
import io.deadbolt.client.ConnectFailedException;
import io.deadbolt.client.LockClient;
import io.deadbolt.client.LockHandle;
import io.deadbolt.client.LockNotHeldException;
import io.deadbolt.client.LockTimeoutException;
import io.deadbolt.client.RequestRejectedException;
import io.deadbolt.it.support.TestServer;
import io.deadbolt.it.support.TextConnection;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The client's lock API against a real server: one server for the class, fresh clients per test. */
class LockClientTest {
    private static final Duration LONG_WAIT = Duration.ofSeconds(5);
    private static final long FUTURE_TIMEOUT_SECONDS = 10;
    private static TestServer server;
    private final List<LockClient> clients = new ArrayList<>();

    @BeforeAll
    static void startServer() {
        server = TestServer.start();
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @AfterEach
    void closeClients() {
        clients.forEach(LockClient::close);
    }

    private LockClient client() {
        LockClient client = LockClient.connect(server.host(), server.port());
        clients.add(client);
        return client;
    }

    @Test
    void lockGrantsAHandleAndClosingItLetsAnotherClientTakeTheLock() {
        LockClient a = client();
        LockClient b = client();
        long firstToken;
        try (LockHandle handle = a.lock("orders", LONG_WAIT)) {
            assertThat(handle.name()).isEqualTo("orders");
            assertThat(handle.isValid()).isTrue();
            assertThat(handle.state()).isEqualTo(LockHandle.State.HELD);
            firstToken = handle.token();
            assertThat(firstToken).isPositive();
            assertThat(b.tryLock("orders")).isEmpty();
        }
        Optional<LockHandle> second = b.tryLock("orders");
        assertThat(second).isPresent();
        assertThat(second.get().token()).isGreaterThan(firstToken);
    }

    @Test
    void closeReleasesOnceAndLeavesALaterHolderAlone() {
        LockClient a = client();
        LockClient b = client();
        LockHandle handle = a.lock("close-once", LONG_WAIT);
        handle.close();
        assertThat(handle.isValid()).isFalse();
        assertThat(handle.state()).isEqualTo(LockHandle.State.RELEASED);
        LockHandle other = b.lock("close-once", LONG_WAIT);

        handle.close();

        assertThat(a.tryLock("close-once")).isEmpty();
        assertThat(other.isValid()).isTrue();
        assertThatThrownBy(handle::unlock)
                .isInstanceOf(IllegalMonitorStateException.class)
                .hasMessageContaining("not locked");
        assertThatThrownBy(handle::ensureValid).isInstanceOf(IllegalMonitorStateException.class);
    }

    @Test
    void explicitUnlockReleasesTheLock() {
        LockClient a = client();
        LockClient b = client();
        LockHandle handle = a.lock("explicit", LONG_WAIT);
        handle.unlock();
        assertThat(handle.isValid()).isFalse();
        assertThat(b.tryLock("explicit")).isPresent();
    }

    @Test
    void tryLockIsEmptyWhileAnotherSessionHoldsTheLock() {
        LockClient a = client();
        LockClient b = client();
        LockHandle held = a.lock("busy", LONG_WAIT);
        assertThat(b.tryLock("busy")).isEmpty();
        assertThat(held.isValid()).isTrue();
    }

    @Test
    void lockThrowsLockTimeoutExceptionOnceItsWaitHasPassed() {
        LockClient a = client();
        LockClient b = client();
        a.lock("contended", LONG_WAIT);
        long start = System.nanoTime();
        assertThatThrownBy(() -> b.lock("contended", Duration.ofMillis(200)))
                .isInstanceOf(LockTimeoutException.class)
                .hasMessageContaining("contended");
        long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(elapsedMillis).isBetween(190L, 3000L);
    }

    @Test
    void tryLockWithAWaitIsEmptyOnceTheWaitHasPassed() {
        LockClient a = client();
        LockClient b = client();
        a.lock("contended-try", LONG_WAIT);
        assertThat(b.tryLock("contended-try", Duration.ofMillis(200))).isEmpty();
    }

    @Test
    void lockAsyncIsGrantedWhenTheHolderReleases() throws Exception {
        LockClient a = client();
        LockClient b = client();
        LockHandle first = a.lock("handover", LONG_WAIT);
        CompletableFuture<LockHandle> waiting = b.lockAsync("handover", LONG_WAIT);
        assertThat(waiting).isNotDone();

        first.close();

        LockHandle second = waiting.get(FUTURE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        assertThat(second.isValid()).isTrue();
        assertThat(second.token()).isGreaterThan(first.token());
    }

    @Test
    void lockAsyncFailsWithLockTimeoutExceptionOnceItsWaitHasPassed() {
        LockClient a = client();
        LockClient b = client();
        a.lock("async-timeout", LONG_WAIT);
        CompletableFuture<LockHandle> waiting = b.lockAsync("async-timeout", Duration.ofMillis(200));
        assertThatThrownBy(() -> waiting.get(FUTURE_TIMEOUT_SECONDS, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(LockTimeoutException.class);
    }

    @Test
    void tryLockAsyncCompletesEmptyOrWithAHandle() throws Exception {
        LockClient a = client();
        LockClient b = client();
        Optional<LockHandle> mine = a.tryLockAsync("async-try").get(FUTURE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        Optional<LockHandle> theirs = b.tryLockAsync("async-try").get(FUTURE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        assertThat(mine).isPresent();
        assertThat(theirs).isEmpty();
    }

    @Test
    void unlockOfALockHeldByAnotherSessionSaysNotYours() {
        LockClient a = client();
        LockClient b = client();
        a.lock("theirs", LONG_WAIT);
        assertThatThrownBy(() -> b.unlock("theirs"))
                .isInstanceOf(IllegalMonitorStateException.class)
                .hasMessageContaining("not yours")
                .isInstanceOfSatisfying(LockNotHeldException.class,
                        e -> assertThat(e.reason()).isEqualTo(LockNotHeldException.Reason.NOT_YOURS));
        assertThat(b.tryLock("theirs")).isEmpty();
    }

    @Test
    void unlockOfAFreeLockSaysNotLocked() {
        LockClient a = client();
        assertThatThrownBy(() -> a.unlock("nobody-holds-this"))
                .isInstanceOf(IllegalMonitorStateException.class)
                .hasMessageContaining("not locked")
                .isInstanceOfSatisfying(LockNotHeldException.class,
                        e -> assertThat(e.reason()).isEqualTo(LockNotHeldException.Reason.NOT_LOCKED));
    }

    @Test
    void unlockByNameReleasesTheHandle() {
        LockClient a = client();
        LockClient b = client();
        LockHandle handle = a.lock("by-name", LONG_WAIT);
        a.unlock("by-name");
        assertThat(handle.state()).isEqualTo(LockHandle.State.RELEASED);
        assertThat(b.tryLock("by-name")).isPresent();
    }

    @Test
    void unlockAllReleasesEveryHandle() {
        LockClient a = client();
        LockClient b = client();
        LockHandle x = a.lock("all-x", LONG_WAIT);
        LockHandle y = a.lock("all-y", LONG_WAIT);
        a.unlockAll();
        assertThat(x.state()).isEqualTo(LockHandle.State.RELEASED);
        assertThat(y.state()).isEqualTo(LockHandle.State.RELEASED);
        assertThat(b.tryLock("all-x")).isPresent();
        assertThat(b.tryLock("all-y")).isPresent();
    }

    @Test
    void fencingTokensIncreaseAcrossClients() {
        List<LockClient> three = List.of(client(), client(), client());
        long previous = 0;
        for (int round = 0; round < 30; round++) {
            LockClient client = three.get(round % three.size());
            try (LockHandle handle = client.lock("fenced", LONG_WAIT)) {
                assertThat(handle.token()).isGreaterThan(previous);
                previous = handle.token();
            }
        }
    }

    @Test
    void threadsSharingAClientExcludeEachOther() throws Exception {
        LockClient shared = client();
        LockHandle first = shared.lock("shared", LONG_WAIT);
        assertThat(shared.tryLock("shared")).isEmpty();
        CompletableFuture<LockHandle> second = shared.lockAsync("shared", LONG_WAIT);
        assertThatThrownBy(() -> second.get(300, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);

        first.close();

        LockHandle granted = second.get(FUTURE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        assertThat(granted.token()).isGreaterThan(first.token());
        assertThat(granted.isValid()).isTrue();
    }

    @Test
    void aWaitWithinTheClientTimesOutLikeAWaitOnTheServer() {
        LockClient shared = client();
        shared.lock("shared-timeout", LONG_WAIT);
        assertThatThrownBy(() -> shared.lock("shared-timeout", Duration.ofMillis(200)))
                .isInstanceOf(LockTimeoutException.class);
    }

    @Test
    void aCancelledLockRequestGivesTheLockBackWhenItIsGrantedLater() throws Exception {
        LockClient a = client();
        LockClient b = client();
        LockClient c = client();
        LockHandle held = a.lock("cancelled", LONG_WAIT);
        CompletableFuture<LockHandle> abandoned = b.lockAsync("cancelled", LONG_WAIT);
        ServerWaiters.await(c, 1);
        abandoned.cancel(false);

        held.close();

        // b's request is still queued on the server and is granted now; b must hand the lock on.
        LockHandle third = c.lockAsync("cancelled", LONG_WAIT).get(FUTURE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        assertThat(third.isValid()).isTrue();
    }

    @Test
    void closingTheClientReleasesItsLocksAtOnce() {
        LockClient a = LockClient.connect(server.host(), server.port());
        LockClient b = client();
        LockHandle handle = a.lock("closed-client", LONG_WAIT);
        a.close();
        assertThat(handle.isValid()).isFalse();
        // At once, not after the session's grace period: the default server grace here is 2 s.
        assertThat(b.tryLock("closed-client")).isPresent();
        assertThatThrownBy(() -> a.lock("after-close", LONG_WAIT)).isInstanceOf(ClientClosedException.class);
        assertThat(a.lockAsync("after-close", LONG_WAIT)).isCompletedExceptionally();
        a.close();
    }

    @Test
    void closingTheClientWhileOneOfItsLocksWaitsOnTheServerStillReleasesItsLocksAtOnce() throws Exception {
        LockClient a = LockClient.builder().endpoint(server.host(), server.port())
                .sessionTimeout(Duration.ofSeconds(30))
                .connect();
        LockClient b = client();
        a.lock("held-while-closing", LONG_WAIT);
        b.lock("waited-for-while-closing", LONG_WAIT);
        CompletableFuture<LockHandle> waiting = a.lockAsync("waited-for-while-closing", Duration.ofSeconds(30));
        ServerWaiters.await(b, 1);

        long start = System.nanoTime();
        a.close();

        // The server answers nothing sent behind a waiting lock, goodbye included; the client must not
        // sit out its request timeout for it, nor leave its locks to the 30 s grace period.
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(3000);
        assertThatThrownBy(() -> waiting.get(FUTURE_TIMEOUT_SECONDS, TimeUnit.SECONDS))
                .hasCauseInstanceOf(ClientClosedException.class);
        assertThat(b.tryLock("held-while-closing")).isPresent();
    }

    @Test
    void closingTheClientOnAnInterruptedThreadStillReleasesItsLocksAtOnce() {
        LockClient a = LockClient.builder().endpoint(server.host(), server.port())
                .sessionTimeout(Duration.ofSeconds(30))
                .connect();
        LockClient b = client();
        a.lock("closed-while-interrupted", LONG_WAIT);

        // As in a worker that restored its interrupt flag and leaves its try-with-resources block.
        Thread.currentThread().interrupt();
        a.close();
        boolean stillInterrupted = Thread.interrupted();

        assertThat(stillInterrupted).isTrue();
        assertThat(b.tryLock("closed-while-interrupted")).isPresent();
    }

    @Test
    void sessionIdIsTheServersIdForThisConnection() {
        LockClient a = client();
        LockClient b = client();
        assertThat(a.sessionId()).matches("[0-9a-f]{32}");
        assertThat(b.sessionId()).isNotEqualTo(a.sessionId());
        try (TextConnection raw = server.connect()) {
            // The id is the one the server knows: a second connection cannot take it over while a holds it.
            assertThat(raw.request("conn_id " + a.sessionId())).isEqualTo("403 cannot set conn id");
        }
    }

    @Test
    void statsReturnsTheServersCounters() {
        LockClient a = client();
        a.lock("counted", LONG_WAIT);
        Map<String, String> stats = a.stats();
        assertThat(stats).containsKeys("clients", "locks", "pid", "uptime", "cmd_lock", "sessions");
        assertThat(Long.parseLong(stats.get("locks"))).isPositive();
        assertThat(List.copyOf(stats.keySet()).subList(0, 3)).containsExactly("clients", "locks", "monitoring");
    }

    @Test
    void invalidNamesAndWaitsAreRefusedBeforeAnythingIsSent() {
        LockClient a = client();
        assertThatThrownBy(() -> a.lock("two words", LONG_WAIT)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> a.tryLock("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> a.lock("x", Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aWaitBeyondWhatMillisecondsCanCountIsAnInvalidArgument() {
        LockClient a = client();
        Duration forever = ChronoUnit.FOREVER.getDuration();
        assertThatThrownBy(() -> a.lock("forever", forever)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> a.tryLockAsync("forever", forever)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aWaitAboveTheServersLimitIsRejectedByTheServer() {
        LockClient a = client();
        assertThatThrownBy(() -> a.lock("too-long", Duration.ofDays(2)))
                .isInstanceOf(RequestRejectedException.class)
                .hasMessageContaining("400");
    }

    @Test
    void aSessionTimeoutAboveTheServersLimitFailsTheConnect() {
        assertThatThrownBy(() -> LockClient.builder().endpoint(server.host(), server.port())
                .sessionTimeout(Duration.ofHours(1)).connect())
                .isInstanceOf(ConnectFailedException.class)
                .hasMessageContaining("set_timeout 3600000");
    }

    @Test
    void aPeerThatNeverAnswersIsGivenUpOnAfterTheRequestTimeout() throws IOException {
        // Connections complete in the kernel's backlog, but nobody ever reads or answers.
        try (ServerSocket silent = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            long start = System.nanoTime();
            assertThatThrownBy(() -> LockClient.builder().endpoint("127.0.0.1", silent.getLocalPort())
                    .requestTimeout(Duration.ofMillis(200)).connect())
                    .isInstanceOf(ConnectFailedException.class);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(5000);
        }
    }

    @Test
    void connectFailsClearlyWhenNoServerListens() throws IOException {
        int deadPort = unusedPort();
        assertThatThrownBy(() -> LockClient.builder().endpoint("127.0.0.1", deadPort)
                .connectTimeout(Duration.ofSeconds(2)).connect())
                .isInstanceOf(ConnectFailedException.class)
                .hasMessageContaining(String.valueOf(deadPort));
    }

    @Test
    void endpointsAreTriedInOrder() throws IOException {
        int deadPort = unusedPort();
        LockClient client = LockClient.builder()
                .endpoints("127.0.0.1:" + deadPort, server.host() + ":" + server.port())
                .connect();
        clients.add(client);
        assertThat(client.tryLock("reached")).isPresent();
    }

    private static int unusedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
