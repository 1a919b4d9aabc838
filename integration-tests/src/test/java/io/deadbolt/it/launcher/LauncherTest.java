package io.deadbolt.it.launcher;

import static io.deadbolt.it.support.TextConnection.numeric;
import static org.assertj.core.api.Assertions.assertThat;

import io.deadbolt.it.support.TestServer;
import io.deadbolt.it.support.TextConnection;
import io.deadbolt.server.Version;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The {@code ./deadbolt} launcher as an operator uses it: start, serve, stop on SIGTERM, report errors. */
class LauncherTest {
    private static final int CLIENTS_AT_STOP = 8;

    @RegisterExtension
    final LaunchedProcesses processes = new LaunchedProcesses();

    @Test
    void serveListensOnAFreePortServesAndStopsCleanlyOnSigterm() throws IOException {
        Launched server = processes.launch("serve", "--port", "0");
        Launched.Listening listening = server.awaitListening();
        assertThat(listening.version()).isEqualTo(Version.get());
        assertThat(listening.host()).isEqualTo("127.0.0.1");
        int port = listening.port();
        assertThat(port).isPositive();

        // Several clients holding locks, so that the stop closes connections on every event loop.
        List<TextConnection> clients = new ArrayList<>();
        for (int i = 0; i < CLIENTS_AT_STOP; i++) {
            TextConnection client = TextConnection.open(listening.host(), port);
            clients.add(client);
            assertThat(client.request("lock launched-" + i)).matches(TextConnection.ACQUIRED);
        }
        Map<String, String> stats = clients.get(0).stats();
        assertThat(numeric(stats, "locks")).isEqualTo(CLIENTS_AT_STOP);
        assertThat(stats.get("version")).isEqualTo(Version.get());
        // The script execs java, so the server is the very process that was started.
        assertThat(numeric(stats, "pid")).isEqualTo(server.pid());

        server.terminate();

        for (TextConnection client : clients) {
            assertThat(client.readUntilClosed()).isEmpty();
            client.close();
        }
        assertThat(server.awaitExit(Launched.EXIT_TIMEOUT)).isZero();
        assertThat(server.remainingStdout()).isEmpty();
        // Stopping while clients hold locks is routine: nothing may be logged as a problem.
        assertThat(server.stderr()).doesNotContain("WARN", "ERROR", "Exception");
    }

    @Test
    void aServerOnATakenPortExitsNonZeroAndSaysWhy() {
        // The port is taken by a deadbolt server running in this JVM, which saves starting a second one.
        try (TestServer first = TestServer.start()) {
            Launched second = processes.launch("serve", "--port", Integer.toString(first.port()));

            int status = second.awaitExit(Launched.START_TIMEOUT);

            assertThat(status).isNotZero();
            assertThat(second.stderr()).contains("deadbolt: cannot listen on 127.0.0.1:" + first.port());
            assertThat(second.remainingStdout()).isEmpty();
            assertThat(first.connect().request("echo still serving")).isEqualTo("200 still serving");
        }
    }

    /**
     * Where epoll is missing (macOS, Windows, a failed native load) the server runs on NIO, which sees a
     * client go away only by reading. A closed connection's wait must still end at once, not when its
     * 60 s are up, and the lock must go to the next live waiter.
     */
    @Test
    void onTheNioTransportAClosedConnectionsWaitEndsAtOnce() throws IOException {
        Launched server = processes.launch(Map.of("DEADBOLT_JAVA_OPTS", "-Dio.netty.transport.noNative=true"),
                "serve", "--port", "0");
        Launched.Listening listening = server.awaitListening();
        assertThat(listening.transport()).isEqualTo("nio");
        int port = listening.port();
        try (TextConnection holder = TextConnection.open("127.0.0.1", port);
             TextConnection leaver = TextConnection.open("127.0.0.1", port);
             TextConnection stayer = TextConnection.open("127.0.0.1", port)) {
            holder.acquire("x");
            leaver.send("lock x 60");
            holder.awaitStat("waiters", 1);
            stayer.send("lock x 60");
            holder.awaitStat("waiters", 2);

            leaver.close();
            holder.awaitStats(stats -> "1".equals(stats.get("waiters")), Duration.ofSeconds(5));

            assertThat(holder.request("unlock x")).isEqualTo("200 Unlocked");
            assertThat(stayer.readLine()).matches(TextConnection.ACQUIRED);
            assertThat(holder.stat("sessions_in_grace")).isEqualTo(1);
        }
        server.terminate();
        assertThat(server.awaitExit(Launched.EXIT_TIMEOUT)).isZero();
    }

    @Test
    void versionPrintsTheBuiltVersion() {
        Launched version = processes.launch("--version");

        assertThat(version.awaitExit(Launched.START_TIMEOUT)).isZero();
        List<String> lines = version.remainingStdout();
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).isEqualTo("deadbolt " + Version.get());
        assertThat(lines.get(1)).startsWith("Java ");
        assertThat(Version.get()).matches("[0-9]+\\.[0-9]+\\.[0-9]+.*");
    }
}
