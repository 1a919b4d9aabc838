package io.deadbolt.it.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.deadbolt.client.ConnectionLostException;
import io.deadbolt.client.LockClient;
import io.deadbolt.client.LockHandle;
import io.deadbolt.client.LockLostException;
import io.deadbolt.it.client.RecordingListener.Event;
import io.deadbolt.it.client.RecordingListener.Type;
import io.deadbolt.it.support.CloseAfterEach;
import io.deadbolt.it.support.TcpProxy;
import io.deadbolt.it.support.TestServer;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Connections that break: the server restarting, the network dropping a connection while the session is
 * in its grace period, and the server not yet having noticed the old connection when the client is back.
 */
class LockClientReconnectTest {
    private static final Duration LONG_WAIT = Duration.ofSeconds(5);
    private static final Duration SESSION_TIMEOUT = Duration.ofSeconds(10);
    @RegisterExtension
    final CloseAfterEach resources = new CloseAfterEach();
    private final RecordingListener events = new RecordingListener();

    private LockClient watchedClient(String host, int port, Duration sessionTimeout) {
        return resources.closeLater(LockClient.builder()
                .endpoint(host, port)
                .sessionTimeout(sessionTimeout)
                .reconnectBackoff(Duration.ofMillis(20), Duration.ofMillis(200))
                .listener(events)
                .connect());
    }

    private LockClient plainClient(TestServer server) {
        return resources.closeLater(LockClient.connect(server.host(), server.port()));
    }

    /** A request in flight when its connection broke fails, within a bound, rather than wait for a reply. */
    private static void assertFailsWithConnectionLost(CompletableFuture<LockHandle> pending) {
        assertThatThrownBy(() -> pending.get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(ConnectionLostException.class);
    }

    @Test
    void afterAServerRestartPendingRequestsFailAndTheSessionIsReportedExpired() throws Exception {
        TestServer server = TestServer.start();
        int port = server.port();
        LockClient client = watchedClient(server.host(), port, SESSION_TIMEOUT);
        LockClient other = plainClient(server);
        LockHandle held = client.lock("held", LONG_WAIT);
        other.lock("busy", LONG_WAIT);
        CompletableFuture<LockHandle> pending = client.lockAsync("busy", Duration.ofSeconds(30));
        ServerWaiters.await(other, 1);

        server.close();

        assertFailsWithConnectionLost(pending);
        Event lost = events.await(Type.CONNECTION_LOST);
        assertThat(lost.sessionId()).isEqualTo(client.sessionId());
        // Until the client knows better, the handle stands; the listener told the application it is in doubt.
        assertThat(held.isValid()).isTrue();
        assertThatThrownBy(() -> client.lock("while-down", LONG_WAIT)).isInstanceOf(ConnectionLostException.class);

        TestServer restarted = resources.closeLater(TestServer.start(config -> config.port(port)));

        events.await(Type.SESSION_EXPIRED);
        assertThat(held.isValid()).isFalse();
        assertThat(held.state()).isEqualTo(LockHandle.State.LOST);
        assertThatThrownBy(held::unlock).isInstanceOf(LockLostException.class);
        assertThatThrownBy(held::ensureValid).isInstanceOf(LockLostException.class);
        assertThatCode(held::close).doesNotThrowAnyException();
        events.await(Type.SESSION_STARTED);
        assertThat(client.isConnected()).isTrue();

        try (LockHandle again = client.lock("held", LONG_WAIT)) {
            // Tokens keep rising across the restart, so a resource fenced with the old token refuses it.
            assertThat(again.token()).isGreaterThan(held.token());
        }
        assertThat(events.types()).doesNotContain(Type.RESUMED);
        assertThat(restarted.port()).isEqualTo(port);
    }

    @Test
    void aDroppedConnectionIsResumedWithItsLocksWithinTheGracePeriod() throws Exception {
        TestServer server = resources.closeLater(TestServer.start());
        TcpProxy proxy = resources.closeLater(TcpProxy.to(server.host(), server.port()));
        LockClient client = watchedClient(proxy.host(), proxy.port(), SESSION_TIMEOUT);
        LockClient other = plainClient(server);
        String sessionId = client.sessionId();
        LockHandle a = client.lock("a", LONG_WAIT);
        LockHandle b = client.lock("b", LONG_WAIT);

        proxy.refuseNewConnections(true);
        proxy.severAll();
        events.await(Type.CONNECTION_LOST);

        // The session is in its grace period: its locks are still held.
        assertThat(other.tryLock("a")).isEmpty();
        assertThat(other.tryLock("b")).isEmpty();

        proxy.refuseNewConnections(false);
        Event resumed = events.await(Type.RESUMED);

        assertThat(resumed.locksHeld()).isEqualTo(2);
        assertThat(resumed.sessionId()).isEqualTo(sessionId);
        assertThat(client.sessionId()).isEqualTo(sessionId);
        assertThat(a.isValid()).isTrue();
        assertThat(b.isValid()).isTrue();
        assertThat(other.tryLock("a")).isEmpty();
        assertThat(other.tryLock("b")).isEmpty();
        assertThat(events.types()).doesNotContain(Type.SESSION_EXPIRED);

        // The resumed locks are the same grants: releasing them hands them on with larger tokens.
        long tokenA = a.token();
        a.close();
        Optional<LockHandle> taken = other.tryLock("a");
        assertThat(taken).isPresent();
        assertThat(taken.get().token()).isGreaterThan(tokenA);
        b.unlock();
        assertThat(other.tryLock("b")).isPresent();
        assertThat(client.tryLock("c")).isPresent();
    }

    @Test
    void aListenerThatThrowsAnErrorStillHearsTheEventsAfterIt() throws Exception {
        TestServer server = resources.closeLater(TestServer.start());
        TcpProxy proxy = resources.closeLater(TcpProxy.to(server.host(), server.port()));
        RecordingListener failingOnLoss = new RecordingListener() {
            @Override
            public void connectionLost(String sessionId, Throwable cause) {
                super.connectionLost(sessionId, cause);
                throw new AssertionError("a listener's own check failed");
            }
        };
        resources.closeLater(LockClient.builder()
                .endpoint(proxy.host(), proxy.port())
                .sessionTimeout(SESSION_TIMEOUT)
                .reconnectBackoff(Duration.ofMillis(20), Duration.ofMillis(200))
                .listener(failingOnLoss)
                .connect());

        proxy.severAll();
        failingOnLoss.await(Type.CONNECTION_LOST);

        assertThat(failingOnLoss.await(Type.RESUMED).locksHeld()).isZero();
    }

    @Test
    void theClientKeepsAskingWhileTheServerStillSeesTheOldConnection() throws Exception {
        TestServer server = resources.closeLater(TestServer.start());
        TcpProxy proxy = resources.closeLater(TcpProxy.to(server.host(), server.port()));
        LockClient client = watchedClient(proxy.host(), proxy.port(), SESSION_TIMEOUT);
        LockClient other = plainClient(server);
        LockHandle held = client.lock("held", LONG_WAIT);
        int acceptedBefore = proxy.acceptedConnections();

        proxy.severClientSides();
        events.await(Type.CONNECTION_LOST);

        // The client is back through the proxy, but the server refuses the session to it while the old
        // connection looks open; the client must not give up, nor declare the session expired.
        assertThat(events.within(Type.RESUMED, Duration.ofMillis(300))).isEmpty();
        assertThat(proxy.acceptedConnections()).isGreaterThan(acceptedBefore);
        assertThat(held.isValid()).isTrue();

        proxy.releaseServerSides();

        assertThat(events.await(Type.RESUMED).locksHeld()).isEqualTo(1);
        assertThat(held.isValid()).isTrue();
        assertThat(other.tryLock("held")).isEmpty();
        assertThat(events.types()).doesNotContain(Type.SESSION_EXPIRED);
    }

    @Test
    void aLockGrantedWhileTheConnectionWasDownIsGivenBackAfterTheResume() throws Exception {
        TestServer server = resources.closeLater(TestServer.start());
        TcpProxy proxy = resources.closeLater(TcpProxy.to(server.host(), server.port()));
        LockClient client = watchedClient(proxy.host(), proxy.port(), SESSION_TIMEOUT);
        LockClient other = plainClient(server);
        LockHandle blocker = other.lock("contested", LONG_WAIT);
        CompletableFuture<LockHandle> pending = client.lockAsync("contested", Duration.ofSeconds(30));
        ServerWaiters.await(other, 1);

        proxy.severClientSides();
        assertFailsWithConnectionLost(pending);
        // The server still sees the client's connection, so the queued request is granted to its session,
        // and the answer goes nowhere.
        blocker.close();
        proxy.releaseServerSides();

        Event resumed = events.await(Type.RESUMED);
        assertThat(resumed.locksHeld()).isEqualTo(1);
        // The client released the grant it never saw, so the lock is free for others.
        LockHandle next = other.lock("contested", LONG_WAIT);
        assertThat(next.token()).isGreaterThan(blocker.token());
    }

    @Test
    void whenTheServerStaysAwayLongerThanTheGracePeriodTheSessionIsReportedExpired() throws Exception {
        TestServer server = resources.closeLater(TestServer.start());
        TcpProxy proxy = resources.closeLater(TcpProxy.to(server.host(), server.port()));
        LockClient client = watchedClient(proxy.host(), proxy.port(), Duration.ofMillis(500));
        LockClient other = plainClient(server);
        String oldSession = client.sessionId();
        LockHandle held = client.lock("expiring", LONG_WAIT);

        proxy.refuseNewConnections(true);
        proxy.severAll();
        events.await(Type.CONNECTION_LOST);

        // Without any contact the client concludes on its own that the session is gone...
        events.await(Type.SESSION_EXPIRED);
        assertThat(held.state()).isEqualTo(LockHandle.State.LOST);
        assertThat(client.isConnected()).isFalse();
        // ...and so it is: the server released the lock when the grace period ended.
        LockHandle taken = other.lock("expiring", LONG_WAIT);
        assertThat(taken.token()).isGreaterThan(held.token());

        proxy.refuseNewConnections(false);
        Event started = events.await(Type.SESSION_STARTED);

        assertThat(started.sessionId()).isNotEqualTo(oldSession).isEqualTo(client.sessionId());
        assertThat(client.isConnected()).isTrue();
        assertThat(client.tryLock("expiring")).isEmpty();
        assertThat(client.tryLock("fresh")).isPresent();
        assertThat(events.types()).doesNotContain(Type.RESUMED);
    }

    @Test
    void aConnectionThatGoesSilentIsNoticedAndTheSessionGivenUpAfterItsGracePeriod() throws Exception {
        TestServer server = resources.closeLater(TestServer.start());
        TcpProxy proxy = resources.closeLater(TcpProxy.to(server.host(), server.port()));
        LockClient client = resources.closeLater(LockClient.builder()
                .endpoint(proxy.host(), proxy.port())
                .sessionTimeout(Duration.ofMillis(600))
                .requestTimeout(Duration.ofMillis(200))
                .pingInterval(Duration.ofMillis(100))
                .reconnectBackoff(Duration.ofMillis(20), Duration.ofMillis(100))
                .listener(events)
                .connect());
        String oldSession = client.sessionId();
        LockHandle held = client.lock("silent", LONG_WAIT);

        proxy.freezeAll();

        // No reset, no close: only the unanswered ping tells the client the connection is dead.
        events.await(Type.CONNECTION_LOST);
        // The server never sees the old connection close, so it refuses to hand the session over; the
        // client stops asking once the grace period would have ended, and starts afresh.
        events.await(Type.SESSION_EXPIRED);
        assertThat(held.state()).isEqualTo(LockHandle.State.LOST);
        Event started = events.await(Type.SESSION_STARTED);
        assertThat(started.sessionId()).isNotEqualTo(oldSession);
        assertThat(client.tryLock("other-name")).isPresent();
        assertThat(events.types()).doesNotContain(Type.RESUMED);
    }
}
