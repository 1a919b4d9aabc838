package io.deadbolt.it.hardening;

import static io.deadbolt.it.support.TextConnection.numeric;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.deadbolt.it.support.TestCertificate;
import io.deadbolt.it.support.TestServer;
import io.deadbolt.it.support.TextConnection;
import io.deadbolt.server.ServerConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --tls-cert} and {@code --tls-key}: the whole protocol over TLS, and nothing without it. */
class TlsTest {
    @TempDir
    static Path directory;

    private static TestCertificate certificate;
    private static TestServer server;

    @BeforeAll
    static void startServer() {
        certificate = TestCertificate.create(directory);
        server = TestServer.start(config -> config.tls(certificate.certFile(), certificate.keyFile()));
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @Test
    void theProtocolWorksOverTlsWithTheCertificateAndNameChecked() {
        TextConnection a = certificate.connect(server);
        TextConnection b = certificate.connect(server);

        long token = a.acquire("tls-x");
        assertThat(b.request("lock tls-x")).isEqualTo("409 Unavailable");
        b.send("lock tls-x 10");
        assertThat(a.request("unlock tls-x")).isEqualTo("200 Unlocked");
        assertThat(TextConnection.token(b.readLine())).isGreaterThan(token);
        assertThat(a.request("echo over tls")).isEqualTo("200 over tls");
        Map<String, String> stats = a.stats();
        assertThat(numeric(stats, "curr_connections")).isGreaterThanOrEqualTo(2);
        assertThat(b.request("quit")).isEqualTo("200 Hey, it was nice seeing you.");
        a.close();
        b.close();
    }

    @Test
    void aPlainTextClientGetsNoAnswerAndIsClosed() throws IOException {
        TextConnection plain = server.connect();

        plain.send("echo in the clear");

        assertThat(plain.readUntilClosed()).doesNotContain("200");
        TextConnection secure = certificate.connect(server);
        assertThat(secure.request("echo still serving")).isEqualTo("200 still serving");
        secure.close();
    }

    @Test
    void aClientThatDoesNotTrustTheCertificateCannotConnect() throws IOException {
        SSLSocket socket = (SSLSocket) SSLSocketFactory.getDefault().createSocket(server.host(), server.port());
        try (socket) {
            socket.setSoTimeout((int) TextConnection.DEFAULT_TIMEOUT.toMillis());
            assertThatThrownBy(socket::startHandshake).isInstanceOf(javax.net.ssl.SSLHandshakeException.class);
        }
    }

    @Test
    void aPasswordAndTheConnectionLimitWorkOverTlsToo() throws IOException {
        Path password = Files.writeString(directory.resolve("password"), "tls-secret\n");
        try (TestServer strict = TestServer.start(config -> config
                .tls(certificate.certFile(), certificate.keyFile())
                .passwordFile(password)
                .maxConnections(1))) {
            TextConnection a = certificate.connect(strict);
            assertThat(a.request("lock x")).isEqualTo("401 authentication required");
            assertThat(a.request("auth tls-secret")).isEqualTo("200 authenticated");
            assertThat(a.request("lock x")).matches(TextConnection.ACQUIRED);

            TextConnection refused = certificate.connect(strict);
            assertThat(refused.readLine()).isEqualTo("503 too many connections");
            assertThat(refused.readUntilClosed()).isEmpty();
            a.close();
        }
    }

    @Test
    void aServerWithABadCertificateOrKeyDoesNotStart() throws IOException {
        Path garbage = Files.writeString(directory.resolve("garbage.pem"), "not a certificate\n");

        assertThatThrownBy(() -> TestServer.start(config -> config.tls(garbage, certificate.keyFile())))
                .hasMessageContaining("cannot load the TLS certificate " + garbage);
        assertThatThrownBy(() -> TestServer.start(config -> config.tls(certificate.certFile(), garbage)))
                .hasMessageContaining("cannot load the TLS certificate");
        assertThatThrownBy(() -> ServerConfig.builder().tls(certificate.certFile(), null).build())
                .hasMessageContaining("TLS needs both a certificate and its key");
    }
}
