package io.deadbolt.bench.heap;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HeapPerLockTest {
    /** The budget is 200 bytes per held lock at a million locks; a tenth of that scale is quick. */
    @Test
    void heldLockCostsAtMostTwoHundredBytesOfHeap() {
        HeapPerLock.Measurement m = HeapPerLock.measure(1_000, 100_000);

        assertThat(m.bytesPerLock()).as(m.describe()).isLessThanOrEqualTo(200.0);
        // The name must be in there: a measurement that missed the table's memory would come out tiny.
        assertThat(m.bytesPerLock()).as(m.describe()).isGreaterThan(m.nameBytesPerLock());
        assertThat(m.nameBytesPerLock()).isGreaterThan(24.0);
    }
}
