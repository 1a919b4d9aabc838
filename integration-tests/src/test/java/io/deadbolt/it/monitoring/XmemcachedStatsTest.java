package io.deadbolt.it.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import io.deadbolt.it.support.TestServerExtension;
import io.deadbolt.it.support.TextConnection;
import io.deadbolt.server.Version;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import net.rubyeye.xmemcached.MemcachedClient;
import net.rubyeye.xmemcached.MemcachedClientStateListener;
import net.rubyeye.xmemcached.XMemcachedClientBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * xmemcached's stats API, unmodified, pointed at the memcached-protocol listener through a {@link LineTap}
 * that shows what it sends on its own: after its session has been idle it sends {@code version} as a
 * heartbeat, and closes the session unless the answer is {@code VERSION x}.
 */
class XmemcachedStatsTest {
    /** xmemcached's idle time before a heartbeat is 5 s by default; short here so the test is quick. */
    private static final long IDLE_MILLIS = 300;
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final AtomicInteger disconnects = new AtomicInteger();
    @RegisterExtension
    final TestServerExtension server = new TestServerExtension(config -> config.memcachedPort(0));
    private LineTap tap;
    private MemcachedClient client;

    @BeforeEach
    void startClient() throws Exception {
        tap = new LineTap(server.host(), server.server().memcachedAddress().orElseThrow().getPort());
        XMemcachedClientBuilder builder = new XMemcachedClientBuilder(List.of(
                new InetSocketAddress(tap.host(), tap.port())));
        builder.getConfiguration().setSessionIdleTimeout(IDLE_MILLIS);
        builder.getConfiguration().setCheckSessionTimeoutInterval(100);
        builder.setOpTimeout(TIMEOUT.toMillis());
        builder.addStateListener(new DisconnectCounter());
        client = builder.build();
    }

    @AfterEach
    void stopClient() throws Exception {
        client.shutdown();
        tap.close();
    }

    @Test
    void getStatsReadsEveryKey() throws Exception {
        TextConnection locker = server.connect();
        locker.acquire("a");
        locker.acquire("b");
        Map<String, String> main = locker.stats();

        Map<InetSocketAddress, Map<String, String>> all = client.getStats();

        assertThat(all).hasSize(1);
        Map<String, String> stats = all.values().iterator().next();
        assertThat(stats.keySet()).containsExactlyInAnyOrderElementsOf(MemcachedStats.expectedKeys(main));
        assertThat(stats).containsEntry("locks", "2").containsEntry("version", Version.get());
        assertThat(client.getStatsByItem("settings").values().iterator().next())
                .containsEntry("port", String.valueOf(server.port()));
        assertThat(client.getVersions().values()).containsExactly(Version.get());
    }

    @Test
    void theSessionSurvivesItsIdleHeartbeatsAndStatsStillWork() throws Exception {
        client.getStats();
        // Past the stats reply, so that the server's next line answers the next request.
        tap.awaitFromServer("END", TIMEOUT);

        for (int beat = 0; beat < 2; beat++) {
            tap.awaitFromClient("version", TIMEOUT);
            assertThat(tap.nextFromServer(TIMEOUT)).isEqualTo("VERSION " + Version.get());
        }

        Map<String, String> stats = client.getStats().values().iterator().next();
        assertThat(stats).containsKeys("clients", "locks", "cmd_set", "locks_released_by_expiry");
        assertThat(tap.acceptedConnections()).as("no reconnect after the heartbeats").isEqualTo(1);
        assertThat(disconnects).as("no session closed by a failed heartbeat").hasValue(0);
    }

    private final class DisconnectCounter implements MemcachedClientStateListener {
        @Override
        public void onStarted(MemcachedClient memcachedClient) {
        }

        @Override
        public void onShutDown(MemcachedClient memcachedClient) {
        }

        @Override
        public void onConnected(MemcachedClient memcachedClient, InetSocketAddress address) {
        }

        @Override
        public void onDisconnected(MemcachedClient memcachedClient, InetSocketAddress address) {
            disconnects.incrementAndGet();
        }

        @Override
        public void onException(MemcachedClient memcachedClient, Throwable cause) {
        }
    }
}
