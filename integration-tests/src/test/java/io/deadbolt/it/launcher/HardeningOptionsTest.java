package io.deadbolt.it.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.deadbolt.it.support.TextConnection;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The hardening options as an operator meets them: in --help, from the environment, and on SIGTERM. */
class HardeningOptionsTest {
    @TempDir
    Path directory;

    @RegisterExtension
    final LaunchedProcesses processes = new LaunchedProcesses();

    @Test
    void helpListsEveryLimitWithItsDefaultAndEnvironmentVariable() {
        Launched help = processes.launch("serve", "--help");

        assertThat(help.awaitExit(Launched.START_TIMEOUT)).isZero();
        String text = String.join("\n", help.remainingStdout()).replaceAll("\\s+", " ");
        assertThat(text).contains(
                "--max-connections=N", "DEADBOLT_MAX_CONNECTIONS). Default: 10000",
                "--max-locks-per-session=N", "DEADBOLT_MAX_LOCKS_PER_SESSION). Default: 10000",
                "--max-sessions-in-grace=N", "DEADBOLT_MAX_SESSIONS_IN_GRACE). Default: 10000",
                "--max-line-time=DURATION", "DEADBOLT_MAX_LINE_TIME). Default: 30s",
                "--password-file=PATH", "DEADBOLT_PASSWORD_FILE",
                "--tls-cert=PATH", "DEADBOLT_TLS_CERT", "--tls-key=PATH", "DEADBOLT_TLS_KEY");
    }

    /** SIGTERM: a pending wait is answered, the client gets the end of the stream, and the exit is 0. */
    @Test
    void sigtermAnswersAPendingWaitAndExitsZero() throws IOException {
        Path password = Files.writeString(directory.resolve("password"), "launch-secret\n");
        Launched server = processes.launch(Map.of("DEADBOLT_PASSWORD_FILE", password.toString(),
                "DEADBOLT_MAX_CONNECTIONS", "3"), "serve", "--port", "0");
        Launched.Listening listening = server.awaitListening();
        String host = listening.host();
        int port = listening.port();
        try (TextConnection holder = TextConnection.open(host, port);
             TextConnection waiter = TextConnection.open(host, port);
             TextConnection third = TextConnection.open(host, port)) {
            assertThat(holder.request("lock x")).isEqualTo("401 authentication required");
            assertThat(holder.request("auth launch-secret")).isEqualTo("200 authenticated");
            holder.acquire("x");
            assertThat(waiter.request("auth launch-secret")).isEqualTo("200 authenticated");
            waiter.send("lock x 60");
            holder.awaitStat("waiters", 1);
            assertThat(third.request("quit now")).isEqualTo("400 wrong number of arguments for 'quit'");
            try (TextConnection fourth = TextConnection.open(host, port)) {
                assertThat(fourth.readLine()).isEqualTo("503 too many connections");
            }

            server.terminate();

            assertThat(waiter.readLine()).isEqualTo("503 shutting down");
            for (TextConnection client : List.of(waiter, holder, third)) {
                assertThat(client.readUntilClosed()).isEmpty();
                client.close();
            }
        }
        assertThat(server.awaitExit(Launched.EXIT_TIMEOUT)).isZero();
        assertThat(server.stderr()).doesNotContain("ERROR", "Exception");
    }

    @Test
    void aPasswordFileThatCannotBeReadStopsTheStartWithAReason() {
        Path missing = directory.resolve("no-such-file");
        Launched server = processes.launch("serve", "--port", "0", "--password-file", missing.toString());

        assertThat(server.awaitExit(Launched.START_TIMEOUT)).isNotZero();
        assertThat(server.stderr()).contains("deadbolt: cannot read the password file " + missing);
        assertThat(server.remainingStdout()).isEmpty();
    }
}
