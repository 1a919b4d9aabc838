package io.deadbolt.it.monitoring;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.deadbolt.it.support.TestServer;
import io.deadbolt.it.support.TextConnection;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * collectd's memcached plugin reads the main port's elock-style {@code stats} reply with one 4 KiB read
 * and drops what does not fit, so the whole reply must stay under 4 KiB, however large the numbers grow.
 */
class MainPortStatsSizeTest {
    private static final int COLLECTD_BUFFER = 4096;
    /** The longest a counter can print: {@code Long.MIN_VALUE}. */
    private static final int LONGEST_NUMBER = String.valueOf(Long.MIN_VALUE).length();

    @Test
    void theWholeStatsReplyFitsInFourKibibytesEvenWithEveryNumberAtItsLongest() {
        try (TestServer server = TestServer.start(config -> config.memcachedPort(0).httpPort(0))) {
            TextConnection client = server.connect();
            client.acquire("a");
            assertThat(client.request("set_name collectd-test")).isEqualTo("200 name set");

            assertThat(client.request("stats")).isEqualTo("200 STATS");
            List<String> lines = new ArrayList<>(List.of("200 STATS"));
            for (String line = client.readLine(); !line.equals("END"); line = client.readLine()) {
                lines.add(line);
            }
            lines.add("END");

            assertThat(bytesOnTheWire(lines)).isLessThan(COLLECTD_BUFFER);
            assertThat(lines).allMatch(line -> line.split(" ").length == 3 || !line.startsWith("STAT "));
            int worstCase = bytesOnTheWire(lines);
            for (String line : lines.subList(1, lines.size() - 1)) {
                String value = line.split(" ")[2];
                if (value.matches("[0-9.]+")) {
                    worstCase += LONGEST_NUMBER - value.length();
                }
            }
            assertThat(worstCase).as("with every number %d characters long", LONGEST_NUMBER)
                    .isLessThan(COLLECTD_BUFFER);
        }
    }

    private static int bytesOnTheWire(List<String> lines) {
        int bytes = 0;
        for (String line : lines) {
            bytes += line.getBytes(UTF_8).length + 2;
        }
        return bytes;
    }
}
