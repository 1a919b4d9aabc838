package io.deadbolt.server.metrics;

import io.deadbolt.server.LockTimings;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import java.util.Arrays;

/**
 * How long locks were held and how long waiting requests waited, counted into fixed buckets.
 *
 * <p>The lock service calls {@link #held} and {@link #waited} with its monitor held, and that monitor
 * already serialises every caller, so plain fields are enough. A Prometheus {@code Histogram} would be
 * thread-safe on its own, with atomic adders and a buffer for concurrent scrapes, and would cost several
 * times as much inside the one monitor every lock and unlock goes through. {@link #copy()} must be
 * called under the same monitor.
 */
final class LockDurations implements LockTimings {
    /** Upper bounds in milliseconds: from a millisecond to an hour, the longest wait allowed by default. */
    static final long[] BOUNDS_MILLIS = {
        1, 5, 10, 50, 100, 500, 1_000, 5_000, 10_000, 30_000, 60_000, 300_000, 600_000, 1_800_000, 3_600_000
    };

    private final Buckets held = new Buckets();
    private final Buckets waited = new Buckets();

    @Override
    public void held(long millis) {
        held.add(millis);
    }

    @Override
    public void waited(long millis) {
        waited.add(millis);
    }

    /** The counts at this instant; call it with the lock service's monitor held. */
    Copy copy() {
        return new Copy(held.copy(), waited.copy());
    }

    record Copy(Counts held, Counts waited) {
    }

    /** Per-bucket (not cumulative) counts, the last one above every bound, and the sum. */
    record Counts(long[] perBucket, long sumMillis) {
        HistogramSnapshot.HistogramDataPointSnapshot dataPoint() {
            double[] upperBounds = new double[BOUNDS_MILLIS.length + 1];
            for (int i = 0; i < BOUNDS_MILLIS.length; i++) {
                upperBounds[i] = BOUNDS_MILLIS[i] / 1000.0;
            }
            upperBounds[BOUNDS_MILLIS.length] = Double.POSITIVE_INFINITY;
            return HistogramSnapshot.HistogramDataPointSnapshot.builder()
                    .classicHistogramBuckets(ClassicHistogramBuckets.of(upperBounds, perBucket))
                    .sum(sumMillis / 1000.0)
                    .build();
        }
    }

    private static final class Buckets {
        private final long[] perBucket = new long[BOUNDS_MILLIS.length + 1];
        private long sumMillis;

        void add(long millis) {
            int found = Arrays.binarySearch(BOUNDS_MILLIS, millis);
            // A bound counts what equals it (Prometheus' "le"); otherwise the first bound above.
            perBucket[found >= 0 ? found : -found - 1]++;
            sumMillis += millis;
        }

        Counts copy() {
            return new Counts(perBucket.clone(), sumMillis);
        }
    }
}
