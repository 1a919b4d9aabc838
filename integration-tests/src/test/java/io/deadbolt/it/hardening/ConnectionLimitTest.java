package io.deadbolt.it.hardening;

import static io.deadbolt.it.support.TextConnection.numeric;
import static org.assertj.core.api.Assertions.assertThat;

import io.deadbolt.it.support.TestServerExtension;
import io.deadbolt.it.support.TextConnection;
import java.io.UncheckedIOException;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code --max-connections}: the connection over the limit is told {@code 503 too many connections} and closed. */
class ConnectionLimitTest {
    private static final int LIMIT = 3;

    @RegisterExtension
    final TestServerExtension server = new TestServerExtension(config -> config.maxConnections(LIMIT));

    @Test
    void theConnectionOverTheLimitIsToldWhyAndClosedWhileTheOthersGoOn() {
        TextConnection watcher = server.connect();
        TextConnection holder = server.connect();
        TextConnection third = server.connect();
        // Each connection is admitted on its own event loop: make sure all three are in before the fourth.
        assertThat(watcher.request("echo in")).isEqualTo("200 in");
        long token = holder.acquire("x");
        assertThat(third.request("echo in")).isEqualTo("200 in");

        TextConnection refused = server.connect();

        assertThat(refused.readLine()).isEqualTo("503 too many connections");
        assertThat(refused.readUntilClosed()).isEmpty();
        assertThat(holder.request("lock x")).isEqualTo("200 Acquired token=" + token);
        Map<String, String> stats = watcher.stats();
        assertThat(numeric(stats, "rejected_connections")).isEqualTo(1);
        assertThat(numeric(stats, "curr_connections")).isEqualTo(LIMIT);
        // A turned-away connection never had a session.
        assertThat(numeric(stats, "sessions")).isEqualTo(LIMIT);
        assertThat(numeric(stats, "total_connections")).isEqualTo(LIMIT);
    }

    @Test
    void aClosedConnectionMakesRoomForANewOne() {
        TextConnection first = server.connect();
        for (int i = 1; i < LIMIT; i++) {
            assertThat(server.connect().request("echo " + i)).isEqualTo("200 " + i);
        }
        assertThat(first.request("echo first")).isEqualTo("200 first");

        first.close();

        // The server notices the close a little later; until then a newcomer may still be turned away.
        long deadline = System.nanoTime() + TextConnection.DEFAULT_TIMEOUT.toNanos();
        while (true) {
            TextConnection newcomer = server.connect();
            String reply = replyOrRefusal(newcomer);
            if (reply.equals("200 newcomer")) {
                break;
            }
            assertThat(reply).isEqualTo("503 too many connections");
            newcomer.close();
            assertThat(System.nanoTime() - deadline).as("no room made within the timeout").isNegative();
        }
    }

    /** The reply to an echo, or the refusal; a refused connection may also be reset before its line is read. */
    private static String replyOrRefusal(TextConnection connection) {
        try {
            return connection.request("echo newcomer");
        } catch (UncheckedIOException reset) {
            return "503 too many connections";
        } catch (AssertionError closed) {
            if (String.valueOf(closed.getMessage()).startsWith("connection closed by the server")) {
                return "503 too many connections";
            }
            throw closed;
        }
    }
}
