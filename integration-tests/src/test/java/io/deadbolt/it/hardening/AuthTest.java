package io.deadbolt.it.hardening;

import static io.deadbolt.it.support.TextConnection.numeric;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.deadbolt.it.support.TestServer;
import io.deadbolt.it.support.TextConnection;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** {@code --password-file}: nothing but {@code auth} and {@code quit} before the right password. */
class AuthTest {
    private static final String PASSWORD = "c0rrect-h0rse";

    @TempDir
    Path directory;

    private TestServer server;
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private final Logger handlerLogger = (Logger) LoggerFactory.getLogger("io.deadbolt.server.net.ConnectionHandler");

    @BeforeEach
    void startServer() throws IOException {
        Path file = directory.resolve("password");
        // Whitespace around the password and a second line are not part of it.
        Files.writeString(file, "  " + PASSWORD + " \t\nsecond-line\n");
        server = TestServer.start(config -> config.passwordFile(file));
        logged.start();
        handlerLogger.addAppender(logged);
    }

    @AfterEach
    void stopServer() {
        handlerLogger.detachAppender(logged);
        server.close();
    }

    private TextConnection authenticated() {
        TextConnection connection = server.connect();
        assertThat(connection.request("auth " + PASSWORD)).isEqualTo("200 authenticated");
        return connection;
    }

    @Test
    void everyCommandButAuthAndQuitNeedsThePasswordFirst() {
        TextConnection a = server.connect();

        for (String request : new String[] {"lock x", "lock x 5", "unlock x", "unlock_all", "conn_id",
                "conn_id someone-else", "set_timeout 5", "stats", "echo hi"}) {
            assertThat(a.request(request)).as(request).isEqualTo("401 authentication required");
        }
        // A line that is not a command at all is refused as usual: it reveals nothing.
        assertThat(a.request("frobnicate")).isEqualTo("400 Unknown command: \"frobnicate\"");
        assertThat(a.request("auth")).isEqualTo("400 wrong number of arguments for 'auth'");

        assertThat(a.request("quit")).isEqualTo("200 Hey, it was nice seeing you.");
        assertThat(a.readUntilClosed()).isEmpty();
        Map<String, String> stats = authenticated().stats();
        assertThat(numeric(stats, "locks")).isZero();
        assertThat(numeric(stats, "cmd_lock")).isZero();
    }

    @Test
    void theRightPasswordOpensEveryCommand() {
        TextConnection a = server.connect();

        a.sendRaw("auth " + PASSWORD + "\r\nlock x\r\nconn_id\r\n");

        assertThat(a.readLine()).isEqualTo("200 authenticated");
        assertThat(a.readLine()).matches(TextConnection.ACQUIRED);
        String id = a.readLine().substring(4);
        a.close();
        TextConnection resumer = authenticated();
        resumer.awaitStat("sessions_in_grace", 1);
        assertThat(resumer.request("conn_id " + id)).isEqualTo("200 conn id set resumed locks=1");
        assertThat(resumer.request("auth " + PASSWORD)).isEqualTo("200 authenticated");
        assertThat(numeric(resumer.stats(), "auth_cmds")).isEqualTo(3);
    }

    @Test
    void aWrongPasswordIsRefusedAndTheConnectionClosed() {
        for (String guess : new String[] {"wrong", "second-line", PASSWORD.toUpperCase(), PASSWORD + "x"}) {
            TextConnection a = server.connect();

            assertThat(a.request("auth " + guess)).as(guess).isEqualTo("401 invalid password");

            assertThat(a.readUntilClosed()).isEmpty();
        }
    }

    @Test
    void aWrongPasswordAfterTheRightOneStillCloses() {
        TextConnection a = authenticated();

        assertThat(a.request("auth nope")).isEqualTo("401 invalid password");

        assertThat(a.readUntilClosed()).isEmpty();
    }

    @Test
    void refusalsAreCountedAndLoggedAtWarnWithThePeerAddress() {
        TextConnection a = server.connect();
        assertThat(a.request("auth wrong-guess")).isEqualTo("401 invalid password");
        a.assertClosedByServer();

        Map<String, String> stats = authenticated().stats();
        assertThat(numeric(stats, "auth_errors")).isEqualTo(1);
        assertThat(numeric(stats, "auth_cmds")).isEqualTo(2);
        assertThat(logged.list).anySatisfy(event -> {
            assertThat(event.getLevel()).isEqualTo(Level.WARN);
            assertThat(event.getFormattedMessage()).contains("wrong password", "127.0.0.1:" + a.localPort());
        });
        // The guess itself is never logged: it may be a real password typed into the wrong server.
        assertThat(logged.list).noneSatisfy(event -> assertThat(event.getFormattedMessage()).contains("wrong-guess"));
    }

    @Test
    void withoutAPasswordFileAuthIsAcceptedAndSaysSo() {
        try (TestServer open = TestServer.start()) {
            TextConnection a = open.connect();
            assertThat(a.request("lock x")).matches(TextConnection.ACQUIRED);
            assertThat(a.request("auth anything")).isEqualTo("200 no password required");
        }
    }

    @Test
    void aServerWithAnEmptyOrSpacedPasswordDoesNotStart() throws IOException {
        Path empty = Files.writeString(directory.resolve("empty"), "  \nsecond\n");
        Path spaced = Files.writeString(directory.resolve("spaced"), "two words\n");
        Path missing = directory.resolve("missing");

        assertThatThrownBy(() -> TestServer.start(config -> config.passwordFile(empty)))
                .hasMessageContaining("cannot read the password file").hasMessageContaining("is empty");
        assertThatThrownBy(() -> TestServer.start(config -> config.passwordFile(spaced)))
                .hasMessageContaining("space or tab");
        assertThatThrownBy(() -> TestServer.start(config -> config.passwordFile(missing)))
                .hasMessageContaining("cannot read the password file " + missing);
    }
}
