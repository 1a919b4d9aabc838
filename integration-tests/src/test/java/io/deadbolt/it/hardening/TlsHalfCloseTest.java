package io.deadbolt.it.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import io.deadbolt.it.support.TestCertificate;
import io.deadbolt.it.support.CloseAfterEach;
import io.deadbolt.it.support.TestServer;
import io.deadbolt.it.support.TextConnection;
import io.deadbolt.server.ServerConfig;
import io.deadbolt.server.TransportChoice;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The end of a client's input on a TLS port: after a handshake the client gets every reply, as in the
 * clear; before one (a TCP health check, a client that gives up) no handshake can finish any more, and
 * the server lets go of the connection at once rather than after its handshake timeout (10 s).
 */
class TlsHalfCloseTest {
    /** Far below the handshake timeout, far above a loaded machine's delay in noticing the end. */
    private static final Duration AT_ONCE = Duration.ofSeconds(3);

    @TempDir
    static Path directory;

    private static TestCertificate certificate;
    @RegisterExtension
    final CloseAfterEach resources = new CloseAfterEach();
    private TestServer server;

    @BeforeAll
    static void makeCertificate() {
        certificate = TestCertificate.create(directory);
    }

    @ParameterizedTest
    @EnumSource(value = TransportChoice.class, names = {"IO_URING", "EPOLL", "NIO"})
    void aTlsClientThatHalfClosesAfterItsRequestsGetsEveryReply(TransportChoice transport) {
        server = resources.closeLater(startTls(transport, UnaryOperator.identity()));
        TextConnection script = certificate.connect(server);

        script.send("echo one").send("lock t").shutdownOutput();

        assertThat(script.readLine()).isEqualTo("200 one");
        assertThat(script.readLine()).matches(TextConnection.ACQUIRED);
        assertThat(script.readUntilClosed()).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(value = TransportChoice.class, names = {"IO_URING", "EPOLL", "NIO"})
    void aClientThatEndsItsInputBeforeTheHandshakeIsClosedAtOnce(TransportChoice transport) throws IOException {
        server = resources.closeLater(startTls(transport, UnaryOperator.identity()));

        assertThat(timeToCloseAfterEndingInput()).isLessThan(AT_ONCE);
    }

    @ParameterizedTest
    @EnumSource(value = TransportChoice.class, names = {"IO_URING", "EPOLL", "NIO"})
    void aTurnedAwayClientThatEndsItsInputBeforeTheHandshakeIsClosedAtOnce(TransportChoice transport)
            throws IOException {
        server = resources.closeLater(startTls(transport, config -> config.maxConnections(1)));
        // Not one of the server's own connections: closed here, or the stop would wait for it.
        try (TextConnection admitted = certificate.connect(server)) {
            assertThat(admitted.request("echo in")).isEqualTo("200 in");

            assertThat(timeToCloseAfterEndingInput()).isLessThan(AT_ONCE);
        }
    }

    /** Connects without TLS, ends its side at once, and measures until the server closes (after an alert, maybe). */
    private Duration timeToCloseAfterEndingInput() throws IOException {
        try (Socket probe = new Socket(server.host(), server.port())) {
            probe.setSoTimeout((int) Duration.ofSeconds(30).toMillis());
            long start = System.nanoTime();
            probe.shutdownOutput();
            InputStream in = probe.getInputStream();
            while (in.read() >= 0) {
                // a TLS alert, perhaps
            }
            return Duration.ofNanos(System.nanoTime() - start);
        }
    }

    private static TestServer startTls(TransportChoice transport,
                                       UnaryOperator<ServerConfig.Builder> more) {
        return TestServer.startOn(transport,
                config -> more.apply(config.tls(certificate.certFile(), certificate.keyFile())));
    }
}
