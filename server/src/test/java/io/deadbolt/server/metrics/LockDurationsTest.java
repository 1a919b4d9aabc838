package io.deadbolt.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.model.snapshots.ClassicHistogramBucket;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LockDurationsTest {
    private final LockDurations durations = new LockDurations();

    @Test
    void aDurationLandsInTheFirstBucketWhoseBoundIsNotBelowIt() {
        for (long millis : new long[] {0, 1, 2, 5, 999, 1_000, 1_001, 3_600_000, 3_600_001, Long.MAX_VALUE / 2}) {
            durations.held(millis);
        }

        HistogramSnapshot.HistogramDataPointSnapshot held = durations.copy().held().dataPoint();

        List<String> buckets = new ArrayList<>();
        for (ClassicHistogramBucket bucket : held.getClassicBuckets()) {
            if (bucket.getCount() > 0) {
                buckets.add(bucket.getUpperBound() + "=" + bucket.getCount());
            }
        }
        assertThat(buckets).containsExactly("0.001=2", "0.005=2", "1.0=2", "5.0=1", "3600.0=1", "Infinity=2");
        assertThat(held.getCount()).isEqualTo(10);
        assertThat(durations.copy().waited().dataPoint().getCount()).isZero();
    }

    @Test
    void theSumIsInSeconds() {
        durations.waited(250);
        durations.waited(1_500);

        HistogramSnapshot.HistogramDataPointSnapshot waited = durations.copy().waited().dataPoint();

        assertThat(waited.getSum()).isEqualTo(1.75);
        assertThat(waited.getCount()).isEqualTo(2);
    }

    @Test
    void aCopyDoesNotMoveWithLaterDurations() {
        durations.held(10);
        LockDurations.Copy before = durations.copy();

        durations.held(20);

        assertThat(before.held().dataPoint().getCount()).isEqualTo(1);
        assertThat(durations.copy().held().dataPoint().getCount()).isEqualTo(2);
    }
}
