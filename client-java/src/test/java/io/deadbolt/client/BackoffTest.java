package io.deadbolt.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BackoffTest {

    @Test
    void delaysDoubleUpToTheCapWithAtMostAFifthAdded() {
        Backoff backoff = new Backoff(100, 1000);
        List<Long> delays = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            delays.add(backoff.nextDelayMillis());
        }
        long[] base = {100, 200, 400, 800, 1000, 1000, 1000};
        for (int i = 0; i < base.length; i++) {
            assertThat(delays.get(i)).isBetween(base[i], Math.min(1000, base[i] + base[i] / 5));
        }
    }

    @Test
    void resetStartsOverFromTheInitialDelay() {
        Backoff backoff = new Backoff(50, 5000);
        backoff.nextDelayMillis();
        backoff.nextDelayMillis();
        backoff.nextDelayMillis();
        backoff.reset();
        assertThat(backoff.nextDelayMillis()).isBetween(50L, 60L);
    }
}
