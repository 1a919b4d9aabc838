package io.deadbolt.it.server;

import static io.deadbolt.it.support.TextConnection.token;
import static org.assertj.core.api.Assertions.assertThat;

import io.deadbolt.it.support.TestServer;
import io.deadbolt.it.support.TestServerExtension;
import io.deadbolt.it.support.TextConnection;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A request line over the limit (64 bytes here) is answered {@code 400 line too long} and the connection closed. */
class LongLineTest {
    private static final int LIMIT = 64;

    @RegisterExtension
    final TestServerExtension server = new TestServerExtension(config -> config.maxLineBytes(LIMIT));

    @Test
    void aLineOfExactlyTheLimitIsAccepted() {
        TextConnection a = server.connect();
        String text = "x".repeat(LIMIT - "echo ".length());

        assertThat(a.request("echo " + text)).isEqualTo("200 " + text);
        a.sendRaw("echo " + text + "\n");
        assertThat(a.readLine()).isEqualTo("200 " + text);
    }

    @Test
    void theDefaultLimitIs8192Bytes() {
        try (TestServer defaults = TestServer.start()) {
            TextConnection a = defaults.connect();
            String longest = "x".repeat(8192 - "echo ".length());

            assertThat(a.request("echo " + longest)).isEqualTo("200 " + longest);
            a.send("echo " + longest + "x");
            assertThat(a.readLine()).isEqualTo("400 line too long");
            assertThat(a.readUntilClosed()).isEmpty();
        }
    }

    @Test
    void aLineOneByteOverTheLimitClosesTheConnection() {
        TextConnection a = server.connect();

        a.send("echo " + "x".repeat(LIMIT - "echo ".length() + 1));

        assertThat(a.readLine()).isEqualTo("400 line too long");
        assertThat(a.readUntilClosed()).isEmpty();
    }

    @Test
    void anOverlongLineWithoutItsEndIsRefusedBeforeItEnds() {
        TextConnection a = server.connect();

        a.sendRaw("echo " + "x".repeat(3 * LIMIT));

        assertThat(a.readLine()).isEqualTo("400 line too long");
        assertThat(a.readUntilClosed()).isEmpty();
    }

    @Test
    void requestsBeforeTheLongLineAreAnsweredAndThoseAfterItAreNot() {
        TextConnection a = server.connect();

        a.sendRaw("echo before\r\n" + "lock " + "n".repeat(2 * LIMIT) + "\r\nlock after\r\n");

        assertThat(a.readLine()).isEqualTo("200 before");
        assertThat(a.readLine()).isEqualTo("400 line too long");
        assertThat(a.readUntilClosed()).isEmpty();
        assertThat(server.connect().request("lock after")).matches(TextConnection.ACQUIRED);
    }

    @Test
    void theSessionKeepsItsLocksForItsGraceAfterTheClose() {
        TextConnection holder = server.connect();
        TextConnection other = server.connect();
        assertThat(holder.request("set_timeout 500")).isEqualTo("200 timeout set");
        long held = holder.acquire("x");

        holder.send("echo " + "x".repeat(2 * LIMIT));
        assertThat(holder.readLine()).isEqualTo("400 line too long");
        assertThat(holder.readUntilClosed()).isEmpty();

        Map<String, String> stats = other.awaitStat("sessions_in_grace", 1);
        assertThat(stats).containsEntry("locks", "1");
        assertThat(other.request("lock x")).isEqualTo("409 Unavailable");
        assertThat(token(other.request("lock x 5"))).isGreaterThan(held);
        assertThat(other.stat("sessions_expired")).isEqualTo(1);
    }
}
