package io.deadbolt.server.stats;

import io.deadbolt.protocol.Reply;
import io.deadbolt.server.ServerConfig;
import java.util.List;

/**
 * The server's effective configuration as {@code STAT} pairs, for memcached's {@code stats settings}:
 * the ports actually bound (not 0) and the thread count actually used. Values hold no spaces.
 */
public final class SettingsReport {
    private SettingsReport() {
    }

    /** The ports are those bound; {@link ServerConfig#OFF} for a listener that is off. */
    public static List<Reply.Stat> of(ServerConfig config, int port, int memcachedPort, int httpPort,
                                      String transport, int threads) {
        return List.of(
                new Reply.Stat("bind", config.bindAddress()),
                new Reply.Stat("port", Integer.toString(port)),
                new Reply.Stat("memcached_port", optionalPort(memcachedPort)),
                new Reply.Stat("http_port", optionalPort(httpPort)),
                new Reply.Stat("transport", transport),
                new Reply.Stat("num_threads", Integer.toString(threads)),
                new Reply.Stat("session_timeout_ms", Long.toString(config.sessionTimeout().toMillis())),
                new Reply.Stat("max_wait_ms", Long.toString(config.maxWait().toMillis())),
                new Reply.Stat("max_timeout_ms", Long.toString(config.maxTimeout().toMillis())),
                new Reply.Stat("max_line", Integer.toString(config.maxLineBytes())),
                new Reply.Stat("max_list", Integer.toString(config.maxList())));
    }

    private static String optionalPort(int port) {
        return port == ServerConfig.OFF ? "off" : Integer.toString(port);
    }
}
