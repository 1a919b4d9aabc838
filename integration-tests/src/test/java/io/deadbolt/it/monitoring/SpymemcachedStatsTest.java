package io.deadbolt.it.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import io.deadbolt.it.support.TestServerExtension;
import io.deadbolt.it.support.TextConnection;
import io.deadbolt.server.Version;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import net.spy.memcached.MemcachedClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** spymemcached's stats API, unmodified, pointed at the memcached-protocol listener. */
class SpymemcachedStatsTest {
    @RegisterExtension
    final TestServerExtension server = new TestServerExtension(config -> config.memcachedPort(0));
    private MemcachedClient client;

    @BeforeEach
    void startClient() throws Exception {
        client = new MemcachedClient(new InetSocketAddress(server.host(),
                server.server().memcachedAddress().orElseThrow().getPort()));
    }

    @AfterEach
    void stopClient() {
        client.shutdown(5, TimeUnit.SECONDS);
    }

    @Test
    void getStatsReadsEveryKey() {
        TextConnection locker = server.connect();
        locker.acquire("a");
        Map<String, String> main = locker.stats();

        Map<SocketAddress, Map<String, String>> all = client.getStats();

        assertThat(all).hasSize(1);
        Map<String, String> stats = all.values().iterator().next();
        assertThat(stats.keySet()).containsExactlyInAnyOrderElementsOf(MemcachedStats.expectedKeys(main));
        assertThat(stats).containsEntry("locks", "1").containsEntry("cmd_lock", "1")
                .containsEntry("version", Version.get()).containsEntry("cas_badval", "0");
    }

    @Test
    void getStatsOfSettingsAndVersionsWork() {
        Map<String, String> settings = client.getStats("settings").values().iterator().next();
        Map<SocketAddress, String> versions = client.getVersions();

        assertThat(settings).containsEntry("port", String.valueOf(server.port())).containsKey("max_list");
        assertThat(versions.values()).containsExactly(Version.get());
    }
}
