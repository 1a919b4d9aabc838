package io.deadbolt.server;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ServerConfigTest {
    @Test
    void defaultEventLoopsAreHalfTheProcessorsAndAtLeastOne() {
        assertThat(ServerConfig.defaultIoThreads(1)).isEqualTo(1);
        assertThat(ServerConfig.defaultIoThreads(2)).isEqualTo(1);
        assertThat(ServerConfig.defaultIoThreads(3)).isEqualTo(1);
        assertThat(ServerConfig.defaultIoThreads(4)).isEqualTo(2);
        assertThat(ServerConfig.defaultIoThreads(16)).isEqualTo(8);
    }

    @Test
    void anExplicitNumberOfEventLoopsIsKept() {
        assertThat(ServerConfig.builder().ioThreads(5).build().effectiveIoThreads()).isEqualTo(5);
        assertThat(ServerConfig.defaults().effectiveIoThreads())
                .isEqualTo(Math.max(1, Runtime.getRuntime().availableProcessors() / 2));
    }
}
