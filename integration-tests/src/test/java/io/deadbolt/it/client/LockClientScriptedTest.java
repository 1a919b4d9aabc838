package io.deadbolt.it.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.deadbolt.client.ConnectionLostException;
import io.deadbolt.client.LockClient;
import io.deadbolt.client.LockHandle;
import io.deadbolt.client.RequestRejectedException;
import io.deadbolt.it.client.RecordingListener.Type;
import io.deadbolt.it.client.ScriptedServer.Peer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The client against a server whose replies the test writes, for what a real server cannot be made to do
 * on demand: carry out a request and lose its reply with the connection, refuse one endpoint's handshake,
 * answer as elock does.
 */
class LockClientScriptedTest {
    private static final String SESSION = "0123456789abcdef0123456789abcdef";
    private final RecordingListener events = new RecordingListener();
    private ScriptedServer server;
    private LockClient client;

    @BeforeEach
    void start() {
        server = new ScriptedServer();
    }

    @AfterEach
    void stop() {
        // Server first: a client that still has its connection would wait for answers to its goodbye.
        server.close();
        if (client != null) {
            client.close();
        }
    }

    /** Connects a client (no pings, quick reconnects) and answers its handshake. */
    private Peer connect() throws Exception {
        CompletableFuture<LockClient> connecting = CompletableFuture.supplyAsync(() -> LockClient.builder()
                .endpoint(server.host(), server.port())
                .pingInterval(Duration.ZERO)
                .reconnectBackoff(Duration.ofMillis(10), Duration.ofMillis(50))
                .listener(events)
                .connect());
        Peer peer = server.acceptNewSession(SESSION);
        client = connecting.get(10, TimeUnit.SECONDS);
        return peer;
    }

    private LockHandle lock(Peer peer, String name, long token) throws Exception {
        CompletableFuture<LockHandle> granted = client.lockAsync(name, Duration.ZERO);
        peer.expect("lock " + name);
        peer.reply("200 Acquired token=" + token);
        return granted.get(10, TimeUnit.SECONDS);
    }

    @Test
    void aHandshakeThatFailsOnTheFirstEndpointStartsAFreshSessionOnTheNext() throws Exception {
        try (ScriptedServer second = new ScriptedServer()) {
            CompletableFuture<LockClient> connecting = CompletableFuture.supplyAsync(() -> LockClient.builder()
                    .endpoints(server.host() + ":" + server.port(), second.host() + ":" + second.port())
                    .sessionTimeout(Duration.ofSeconds(20))
                    .pingInterval(Duration.ZERO)
                    .listener(events)
                    .connect());
            Peer refusing = server.accept();
            refusing.expect("conn_id");
            refusing.reply("200 " + SESSION);
            refusing.expect("set_timeout 20000");
            refusing.reply("400 invalid timeout \"20000\": expected milliseconds from 0 to 10000");

            // The id from the failed handshake never became this client's session: nothing to resume.
            Peer accepting = second.accept();
            accepting.expect("conn_id");
            accepting.reply("200 fedcba9876543210fedcba9876543210");
            accepting.expect("set_timeout 20000");
            accepting.reply("200 timeout set");
            client = connecting.get(10, TimeUnit.SECONDS);

            assertThat(client.sessionId()).isEqualTo("fedcba9876543210fedcba9876543210");
            // The application never had a session before this one, so none can have expired.
            assertThat(events.within(Type.SESSION_EXPIRED, Duration.ofMillis(200))).isEmpty();
            assertThat(events.types()).isEmpty();
            accepting.close();
        }
    }

    @Test
    void aGrantWithoutAFencingTokenIsGivenBackRatherThanLeftHeld() throws Exception {
        Peer peer = connect();

        // elock's answer: granted, but with no token to fence with.
        CompletableFuture<LockHandle> granted = client.lockAsync("untokened", Duration.ZERO);
        peer.expect("lock untokened");
        peer.reply("200 Acquired");

        assertThatThrownBy(() -> granted.get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(RequestRejectedException.class);
        // The session holds the lock now; refusing the grant must not leave it held until the client closes.
        peer.expect("unlock untokened");
    }

    @Test
    void anUnlockAllCutShortByTheConnectionLeavesNoHandleClaimingItsLock() throws Exception {
        Peer first = connect();
        LockHandle a = lock(first, "a", 7);

        CompletableFuture<Void> unlockAll = client.unlockAllAsync();
        first.expect("unlock_all");
        // The server released everything, and the connection broke before the reply left it.
        first.close();
        assertThatThrownBy(() -> unlockAll.get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(ConnectionLostException.class);

        Peer second = server.accept();
        second.expect("conn_id " + SESSION);
        // Whether the server got the unlock_all or not, the client must finish the release it began.
        second.reply("200 conn id set resumed locks=0");
        second.expect("unlock a");
        second.reply("403 not_locked");
        events.await(Type.RESUMED);

        // Another session may hold "a" by now: the handle must not say this client holds it.
        assertThat(a.isValid()).isFalse();
        assertThat(a.state()).isEqualTo(LockHandle.State.RELEASED);
    }
}
