package io.deadbolt.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClientConfigTest {

    private static ClientConfig config(Duration sessionTimeout, Duration pingInterval) {
        return new ClientConfig(List.of(new Endpoint("localhost", 11400)), Duration.ofSeconds(5), sessionTimeout,
                Duration.ofMillis(100), Duration.ofSeconds(5), Duration.ofSeconds(10), pingInterval, null, null);
    }

    @Test
    void withoutASessionTimeoutTheProtocolDefaultIsAssumed() {
        assertThat(config(null, Duration.ofSeconds(5)).effectiveSessionTimeout()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void pingsComeAtLeastThreeTimesPerGracePeriod() {
        assertThat(config(Duration.ofSeconds(3), Duration.ofSeconds(5)).effectivePingInterval())
                .isEqualTo(Duration.ofSeconds(1));
        assertThat(config(Duration.ofSeconds(60), Duration.ofSeconds(5)).effectivePingInterval())
                .isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void pingsCanBeTurnedOffAndAreNeverTooFrequent() {
        assertThat(config(Duration.ofSeconds(3), Duration.ZERO).effectivePingInterval()).isZero();
        assertThat(config(Duration.ofMillis(30), Duration.ofSeconds(5)).effectivePingInterval())
                .isEqualTo(Duration.ofMillis(20));
    }

    @Test
    void theConfigurationNeverShowsThePassword() {
        ClientConfig withPassword = new ClientConfig(List.of(new Endpoint("localhost", 11400)), Duration.ofSeconds(5),
                null, Duration.ofMillis(100), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(5),
                null, null, "hunter2-secret", null, true);

        assertThat(withPassword.toString()).doesNotContain("hunter2-secret").contains("password=***");
    }

    @Test
    void aPasswordMustBeOneWordAndTheRefusalDoesNotQuoteIt() {
        assertThatThrownBy(() -> LockClient.builder().password("two words"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining("two words");
        assertThatThrownBy(() -> LockClient.builder().password(""))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
