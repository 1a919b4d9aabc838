package io.deadbolt.it.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import io.deadbolt.it.support.TestServer;
import io.deadbolt.it.support.TestServerExtension;
import io.deadbolt.it.support.TextConnection;
import io.deadbolt.server.ServerConfig;
import io.deadbolt.server.Version;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The memcached-protocol listener spoken to byte for byte, as memcached's own scrapers do. */
class MemcachedPortTest {
    /** What every scraper splits a stats line into; Telegraf refuses any other line. */
    private static final Pattern STAT_LINE = Pattern.compile("STAT [^ ]+ [^ ]+");

    @RegisterExtension
    final TestServerExtension server = new TestServerExtension(config -> config.memcachedPort(0).maxList(7));
    private final List<TextConnection> memcachedConnections = new ArrayList<>();

    @AfterEach
    void closeMemcachedConnections() {
        memcachedConnections.forEach(TextConnection::close);
    }

    @Test
    void statsHasTheMainPortsKeysThenTheItemCountersAsStatLinesWithoutAHeader() {
        TextConnection locker = server.connect();
        locker.acquire("a");
        locker.acquire("b");
        Map<String, String> main = locker.stats();
        TextConnection memcached = connectMemcached();

        List<String> lines = readUntilEnd(memcached.send("stats"));

        assertThat(lines).allMatch(line -> STAT_LINE.matcher(line).matches());
        Map<String, String> stats = toMap(lines);
        assertThat(stats.keySet()).containsExactlyElementsOf(MemcachedStats.expectedKeys(main));
        for (String key : MemcachedStats.ITEM_KEYS) {
            assertThat(stats).containsEntry(key, "0");
        }
        assertThat(stats).containsEntry("locks", "2").containsEntry("clients", "1")
                .containsEntry("cmd_lock", "2").containsEntry("version", Version.get())
                .containsEntry("pid", main.get("pid"));
    }

    @Test
    void statsSettingsIsTheEffectiveConfiguration() {
        TextConnection memcached = connectMemcached();

        List<String> lines = readUntilEnd(memcached.send("stats settings"));

        assertThat(lines).allMatch(line -> STAT_LINE.matcher(line).matches());
        Map<String, String> settings = toMap(lines);
        assertThat(settings)
                .containsEntry("bind", "127.0.0.1")
                .containsEntry("port", String.valueOf(server.port()))
                .containsEntry("memcached_port", String.valueOf(server.server().memcachedAddress().orElseThrow().getPort()))
                .containsEntry("http_port", "off")
                .containsEntry("session_timeout_ms", "2000")
                .containsEntry("max_wait_ms", "3600000")
                .containsEntry("max_timeout_ms", "600000")
                .containsEntry("max_line", "8192")
                .containsEntry("max_list", "7")
                .containsKeys("transport", "num_threads");
        assertThat(Integer.parseInt(settings.get("num_threads"))).isPositive();
    }

    @Test
    void otherStatsGroupsAreEmptyAndVersionIsDeadbolts() {
        TextConnection memcached = connectMemcached();

        assertThat(memcached.request("stats slabs")).isEqualTo("END");
        assertThat(memcached.request("stats items")).isEqualTo("END");
        assertThat(memcached.request("stats detail dump")).isEqualTo("END");
        assertThat(memcached.request("version")).isEqualTo("VERSION " + Version.get());
        assertThat(memcached.request("  stats   settings  ")).startsWith("STAT ");
    }

    @Test
    void everythingElseIsAnErrorAndNothingTouchesALock() {
        TextConnection memcached = connectMemcached();

        for (String request : List.of("lock x", "unlock x", "conn_id", "get x", "set x 0 0 1", "STATS", "", "info x",
                "locks", "flush_all")) {
            assertThat(memcached.request(request)).as(request).isEqualTo("ERROR");
        }

        TextConnection locker = server.connect();
        assertThat(locker.request("info x")).isEqualTo("200 free waiters=0");
        Map<String, String> stats = locker.stats();
        assertThat(stats).containsEntry("cmd_lock", "0").containsEntry("sessions", "1");
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrderAndQuitClosesAfterThem() {
        TextConnection memcached = connectMemcached();

        memcached.sendRaw("version\r\nstats slabs\nbogus\r\nquit\r\nversion\r\n");

        assertThat(memcached.readLines(3)).containsExactly("VERSION " + Version.get(), "END", "ERROR");
        assertThat(memcached.readUntilClosed()).as("nothing after quit").isEmpty();
    }

    @Test
    void anOverlongLineIsRefusedAndTheConnectionClosed() {
        TextConnection memcached = connectMemcached();

        memcached.sendRaw("stats " + "x".repeat(4096) + "\r\n");

        assertThat(memcached.readLine()).isEqualTo("CLIENT_ERROR line too long");
        assertThat(memcached.readUntilClosed()).isEmpty();
    }

    @Test
    void theMemcachedListenerIsOffUnlessAskedFor() {
        try (TestServer plain = TestServer.start()) {
            assertThat(plain.server().memcachedAddress()).isEmpty();
            assertThat(ServerConfig.defaults().memcachedPort()).isEqualTo(ServerConfig.OFF);
        }
    }

    private TextConnection connectMemcached() {
        try {
            TextConnection connection = TextConnection.open(server.host(),
                    server.server().memcachedAddress().orElseThrow().getPort());
            memcachedConnections.add(connection);
            return connection;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> readUntilEnd(TextConnection connection) {
        List<String> lines = new ArrayList<>();
        for (String line = connection.readLine(); !line.equals("END"); line = connection.readLine()) {
            lines.add(line);
        }
        return lines;
    }

    private static Map<String, String> toMap(List<String> statLines) {
        Map<String, String> map = new LinkedHashMap<>();
        for (String line : statLines) {
            String[] parts = line.split(" ");
            assertThat(map.put(parts[1], parts[2])).as("key %s twice", parts[1]).isNull();
        }
        return map;
    }
}
