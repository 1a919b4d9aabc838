package io.deadbolt.it.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import io.deadbolt.it.support.CloseAfterEach;
import io.deadbolt.it.support.TestServer;
import io.deadbolt.it.support.TextConnection;
import io.deadbolt.server.TransportChoice;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The scrape an operator types, {@code printf 'stats\r\n' | nc -N HOST PORT}: the request, then the end
 * of the client's side, then the whole answer and the close. On io_uring, where writes complete later,
 * a close at the end of input lost the answer to most such scrapes, so each case is tried many times.
 */
class MonitoringHalfCloseTest {
    private static final int TRIES = 30;

    @RegisterExtension
    final CloseAfterEach resources = new CloseAfterEach();

    @ParameterizedTest
    @EnumSource(value = TransportChoice.class, names = {"IO_URING", "EPOLL", "NIO"})
    void aMemcachedScrapeThatEndsItsSideGetsTheWholeStats(TransportChoice transport) throws IOException {
        TestServer server = resources.closeLater(TestServer.startOn(transport, config -> config.memcachedPort(0)));
        InetSocketAddress port = server.server().memcachedAddress().orElseThrow();

        for (int i = 0; i < TRIES; i++) {
            String answer = sendAndHalfClose(port, "stats\r\n");

            assertThat(answer).as("try %d", i).startsWith("STAT ").contains("\r\nSTAT pid ").endsWith("\r\nEND\r\n");
        }
    }

    @ParameterizedTest
    @EnumSource(value = TransportChoice.class, names = {"IO_URING", "EPOLL", "NIO"})
    void aMetricsScrapeThatEndsItsSideGetsTheWholePage(TransportChoice transport) throws IOException {
        TestServer server = resources.closeLater(TestServer.startOn(transport, config -> config.httpPort(0)));
        InetSocketAddress port = server.server().httpAddress().orElseThrow();

        for (int i = 0; i < TRIES; i++) {
            String answer = sendAndHalfClose(port, "GET /metrics HTTP/1.0\r\n\r\n");

            assertThat(answer).as("try %d", i).startsWith("HTTP/1.0 200 OK").contains("deadbolt_locks_held ");
        }
    }

    /** Sends {@code request}, ends this side, and returns everything the server sent before it closed. */
    private static String sendAndHalfClose(InetSocketAddress address, String request) throws IOException {
        try (Socket socket = new Socket(address.getAddress(), address.getPort())) {
            socket.setSoTimeout((int) TextConnection.DEFAULT_TIMEOUT.toMillis());
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            socket.shutdownOutput();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }
}
