package io.deadbolt.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.deadbolt.server.ServerConfig;
import io.deadbolt.server.TransportChoice;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Options of {@code deadbolt serve}: the monitoring listeners (off unless asked for) and the transport. */
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
        assertThatThrownBy(() -> ServerConfig.builder().memcachedPort(65536).build())
                .hasMessage("memcached port must be 0 to 65535: 65536");
        assertThatThrownBy(() -> ServerConfig.builder().httpPort(-2).build())
                .hasMessage("http port must be 0 to 65535: -2");
        assertThatThrownBy(() -> ServerConfig.builder().maxList(0).build())
                .hasMessage("max list must be at least 1: 0");
        assertThat(ServerConfig.builder().httpPort(ServerConfig.OFF).build().httpPort()).isEqualTo(ServerConfig.OFF);
    }

    @Test
    void theTransportIsAutoUnlessAskedForByItsLowerOrUpperCaseName() {
        assertThat(parse("serve").transport).isEqualTo(TransportChoice.AUTO);
        assertThat(parse("serve", "--transport", "io_uring").transport).isEqualTo(TransportChoice.IO_URING);
        assertThat(parse("serve", "--transport", "EPOLL").transport).isEqualTo(TransportChoice.EPOLL);
        assertThat(parse("serve", "--transport=nio").transport).isEqualTo(TransportChoice.NIO);
    }

    @Test
    void anUnknownTransportIsRefusedWithTheChoices() {
        assertThatThrownBy(() -> parse("serve", "--transport", "kqueue"))
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessageContaining("unknown transport 'kqueue': expected auto, io_uring, epoll or nio");
    }

    private static DeadboltMain.Serve parse(String... args) {
        CommandLine.ParseResult result = DeadboltMain.commandLine().parseArgs(args);
        return (DeadboltMain.Serve) result.subcommand().commandSpec().userObject();
    }
}
