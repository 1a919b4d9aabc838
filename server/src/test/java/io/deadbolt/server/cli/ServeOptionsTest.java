package io.deadbolt.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.deadbolt.server.ServerConfig;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The monitoring options of {@code deadbolt serve}: both listeners off unless asked for. */
class ServeOptionsTest {

    @Test
    void theMonitoringListenersAreOffByDefaultAndLocksListsAThousand() {
        DeadboltMain.Serve serve = parse("serve");

        assertThat(serve.memcachedPort).isNull();
        assertThat(serve.httpPort).isNull();
        assertThat(serve.maxList).isEqualTo(ServerConfig.DEFAULT_MAX_LIST);
    }

    @Test
    void portsAndTheListLimitAreTakenFromTheOptions() {
        DeadboltMain.Serve serve = parse("serve", "--memcached-port", "11211", "--http-port", "0", "--max-list", "50");

        assertThat(serve.memcachedPort).isEqualTo(11211);
        assertThat(serve.httpPort).isZero();
        assertThat(serve.maxList).isEqualTo(50);
    }

    @Test
    void theConfigRefusesPortsOutOfRangeAndAnEmptyList() {
        ServerConfig defaults = ServerConfig.defaults();

        assertThatThrownBy(() -> defaults.withMemcachedPort(65536)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> defaults.withHttpPort(-2)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> defaults.withMaxList(0)).isInstanceOf(IllegalArgumentException.class);
        assertThat(defaults.withHttpPort(ServerConfig.OFF).httpPort()).isEqualTo(ServerConfig.OFF);
    }

    private static DeadboltMain.Serve parse(String... args) {
        CommandLine.ParseResult result = DeadboltMain.commandLine().parseArgs(args);
        return (DeadboltMain.Serve) result.subcommand().commandSpec().userObject();
    }
}
