package io.deadbolt.it.client;

import static io.deadbolt.it.support.TextConnection.numeric;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.deadbolt.client.AuthenticationFailedException;
import io.deadbolt.client.ConnectFailedException;
import io.deadbolt.client.LockClient;
import io.deadbolt.client.LockHandle;
import io.deadbolt.it.client.RecordingListener.Event;
import io.deadbolt.it.client.RecordingListener.Type;
import io.deadbolt.it.support.CloseAfterEach;
import io.deadbolt.it.support.TcpProxy;
import io.deadbolt.it.support.TestCertificate;
import io.deadbolt.it.support.TestServer;
import io.deadbolt.it.support.TextConnection;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The client against servers with a password, with TLS, and with both. */
class LockClientSecurityTest {
    private static final String PASSWORD = "open-sesame-42";
    private static final Duration WAIT = Duration.ofSeconds(5);

    @TempDir
    static Path directory;

    private static TestCertificate certificate;
    private static TestServer withPassword;
    private static TestServer withTls;
    private static TestServer withBoth;
    private static TestServer open;

    @RegisterExtension
    final CloseAfterEach resources = new CloseAfterEach();

    @BeforeAll
    static void startServers() throws IOException {
        certificate = TestCertificate.create(directory);
        Path passwordFile = Files.writeString(directory.resolve("password"), PASSWORD + "\n");
        withPassword = TestServer.start(config -> config.passwordFile(passwordFile));
        withTls = TestServer.start(config -> config.tls(certificate.certFile(), certificate.keyFile()));
        withBoth = TestServer.start(config -> config.passwordFile(passwordFile)
                .tls(certificate.certFile(), certificate.keyFile()));
        open = TestServer.start();
    }

    @AfterAll
    static void stopServers() {
        for (TestServer server : List.of(withPassword, withTls, withBoth, open)) {
            server.close();
        }
    }

    private static LockClient.Builder to(TestServer server) {
        return LockClient.builder().endpoint(server.host(), server.port());
    }

    @Test
    void theRightPasswordOpensTheServer() {
        LockClient client = resources.closeLater(to(withPassword).password(PASSWORD).connect());
        LockClient other = resources.closeLater(to(withPassword).password(PASSWORD.toCharArray()).connect());

        LockHandle held = client.lock("auth-a", WAIT);

        assertThat(held.token()).isPositive();
        assertThat(other.tryLock("auth-a")).isEmpty();
        held.unlock();
        assertThat(other.tryLock("auth-a")).isPresent();
    }

    @Test
    void aWrongPasswordFailsTheConnectAndIsNotShown() {
        assertThatThrownBy(() -> to(withPassword).password("not-it").connect())
                .isInstanceOf(AuthenticationFailedException.class)
                .hasMessageContaining("invalid password")
                .hasMessageNotContaining("not-it");
    }

    @Test
    void withoutAPasswordTheConnectFailsSayingOneIsRequired() {
        assertThatThrownBy(() -> to(withPassword).connect())
                .isInstanceOf(AuthenticationFailedException.class)
                .isInstanceOf(ConnectFailedException.class)
                .hasMessageContaining("requires a password");
    }

    @Test
    void aPasswordIsAcceptedByAServerThatHasNone() {
        LockClient client = resources.closeLater(to(open).password(PASSWORD).connect());

        assertThat(client.lock("auth-open", WAIT).token()).isPositive();
    }

    @Test
    void locksWorkOverTlsWithTheServerNameChecked() {
        LockClient client = resources.closeLater(to(withTls).tls(certificate.clientContext()).connect());
        LockClient other = resources.closeLater(to(withTls).tls(certificate.clientContext()).connect());

        LockHandle first = client.lock("tls-a", WAIT);
        assertThat(other.tryLock("tls-a")).isEmpty();
        first.unlock();
        LockHandle second = other.lock("tls-a", WAIT);

        assertThat(second.token()).isGreaterThan(first.token());
        assertThat(client.stats()).containsKey("curr_connections");
    }

    @Test
    void aPlainClientCannotConnectToATlsServer() {
        long started = System.nanoTime();

        assertThatThrownBy(() -> to(withTls).connectTimeout(Duration.ofSeconds(1))
                .requestTimeout(Duration.ofSeconds(1)).connect())
                .isInstanceOf(ConnectFailedException.class);

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void aTlsClientRefusesACertificateItDoesNotTrust() throws IOException {
        TestCertificate stranger = TestCertificate.create(Files.createDirectories(directory.resolve("stranger")));

        assertThatThrownBy(() -> to(withTls).tls(stranger.clientContext()).connect())
                .isInstanceOf(ConnectFailedException.class)
                .hasMessageContaining("TLS handshake");
    }

    @Test
    void aTlsClientCannotConnectToAPlainServer() {
        assertThatThrownBy(() -> to(open).tls(certificate.clientContext()).connectTimeout(Duration.ofSeconds(1))
                .connect())
                .isInstanceOf(ConnectFailedException.class);
    }

    @Test
    void aPasswordRefusedOnReconnectIsRetriedUntilTheServerTakesItAgain() throws Exception {
        Path otherPasswordFile = Files.writeString(directory.resolve("other-password"), "something-else\n");
        Path passwordFile = directory.resolve("password");
        TestServer first = TestServer.start(config -> config.passwordFile(passwordFile));
        int port = first.port();
        RecordingListener events = new RecordingListener();
        LockClient client = resources.closeLater(LockClient.builder()
                .endpoint(first.host(), port)
                .password(PASSWORD)
                .reconnectBackoff(Duration.ofMillis(20), Duration.ofMillis(100))
                .listener(events)
                .connect());
        first.close();
        events.await(Type.CONNECTION_LOST);

        TestServer changed = TestServer.start(config -> config.port(port).passwordFile(otherPasswordFile));
        try {
            assertThat(events.within(Type.SESSION_STARTED, Duration.ofMillis(300))).isEmpty();
            assertThat(client.isConnected()).isFalse();
            TextConnection operator = changed.connect();
            assertThat(operator.request("auth something-else")).isEqualTo("200 authenticated");
            // The client kept trying, with the password it has, and kept being refused.
            assertThat(numeric(operator.stats(), "auth_errors")).isGreaterThanOrEqualTo(2);
            operator.close();
        } finally {
            changed.close();
        }

        resources.closeLater(TestServer.start(config -> config.port(port).passwordFile(passwordFile)));
        events.await(Type.SESSION_STARTED);
        assertThat(client.isConnected()).isTrue();
        assertThat(client.lock("auth-again", WAIT).token()).isPositive();
    }

    @Test
    void tlsAndPasswordTogetherAndTheSessionResumesAfterACut() throws Exception {
        TcpProxy proxy = resources.closeLater(TcpProxy.to(withBoth.host(), withBoth.port()));
        RecordingListener events = new RecordingListener();
        LockClient client = resources.closeLater(LockClient.builder()
                .endpoint(proxy.host(), proxy.port())
                .tls(certificate.clientContext())
                .password(PASSWORD)
                .sessionTimeout(Duration.ofSeconds(10))
                .reconnectBackoff(Duration.ofMillis(20), Duration.ofMillis(200))
                .listener(events)
                .connect());
        LockClient other = resources.closeLater(
                to(withBoth).tls(certificate.clientContext()).password(PASSWORD).connect());
        String sessionId = client.sessionId();
        LockHandle held = client.lock("both-a", WAIT);

        proxy.severAll();
        events.await(Type.CONNECTION_LOST);
        Event resumed = events.await(Type.RESUMED);

        assertThat(resumed.sessionId()).isEqualTo(sessionId);
        assertThat(resumed.locksHeld()).isEqualTo(1);
        assertThat(held.isValid()).isTrue();
        assertThat(other.tryLock("both-a")).isEmpty();
        held.unlock();
        assertThat(other.tryLock("both-a")).isPresent();
        assertThat(proxy.acceptedConnections()).isEqualTo(2);
    }
}
