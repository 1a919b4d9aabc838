package io.deadbolt.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class GrantLogTest {
    private static final long NEVER = Long.MAX_VALUE;

    private static GrantLog recording() {
        GrantLog log = new GrantLog();
        log.recording(true);
        return log;
    }

    @Test
    void grantsInTheOrderTheWaitersWereQueuedKeepFifo() {
        GrantLog log = recording();
        // A queued at 10, then B asked at 20: A is served first. Added out of token order on purpose.
        log.add(102, 20, 25);
        log.add(101, 5, 10);

        GrantLog.FifoReport report = log.check();

        assertThat(report.grants()).isEqualTo(2);
        assertThat(report.violations()).isZero();
        assertThat(report.kept()).isTrue();
    }

    @Test
    void laterRequestServedBeforeAQueuedWaiterBreaksFifo() {
        GrantLog log = recording();
        // A was known queued at 10; B only asked at 20, yet B got the earlier token.
        log.add(101, 20, 25);
        log.add(102, 5, 10);

        GrantLog.FifoReport report = log.check();

        assertThat(report.violations()).isEqualTo(1);
        assertThat(report.kept()).isFalse();
    }

    @Test
    void requestsInFlightTogetherMayBeServedInEitherOrder() {
        GrantLog log = recording();
        // Neither was known queued before the other was sent: the server's order is as good as any.
        log.add(101, 20, 30);
        log.add(102, 10, 40);
        log.add(103, 15, NEVER);

        assertThat(log.check().violations()).isZero();
    }

    @Test
    void theSameTokenGrantedTwiceIsAViolation() {
        GrantLog log = recording();
        log.add(101, 5, 10);
        log.add(101, 6, 11);

        assertThat(log.check().violations()).isEqualTo(1);
    }

    @Test
    void grantsOutsideTheRecordingWindowAreNotKept() {
        GrantLog log = new GrantLog();
        log.add(101, 5, 10);

        assertThat(log.check().grants()).isZero();
        assertThat(log.check().kept()).isFalse();
    }
}
