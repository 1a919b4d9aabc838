package io.deadbolt.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class EndpointTest {

    @Test
    void parsesHostAndPort() {
        assertThat(Endpoint.parse("lock1.example:11500")).isEqualTo(new Endpoint("lock1.example", 11500));
        assertThat(Endpoint.parse(" 10.0.0.7:1 ")).isEqualTo(new Endpoint("10.0.0.7", 1));
    }

    @Test
    void aBareHostGetsTheDefaultPort() {
        assertThat(Endpoint.parse("localhost")).isEqualTo(new Endpoint("localhost", 11400));
        assertThat(Endpoint.parse("[::1]")).isEqualTo(new Endpoint("::1", 11400));
    }

    @Test
    void ipv6AddressesAreBracketed() {
        Endpoint endpoint = Endpoint.parse("[fe80::1]:7000");
        assertThat(endpoint).isEqualTo(new Endpoint("fe80::1", 7000));
        assertThat(endpoint).hasToString("[fe80::1]:7000");
    }

    @Test
    void refusesWhatIsNotAnEndpoint() {
        assertThatThrownBy(() -> Endpoint.parse("host:port")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Endpoint.parse("host:0")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Endpoint.parse("host:70000")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Endpoint.parse(":11400")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Endpoint.parse("fe80::1:7000")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Endpoint.parse("[::1:7000")).isInstanceOf(IllegalArgumentException.class);
    }
}
