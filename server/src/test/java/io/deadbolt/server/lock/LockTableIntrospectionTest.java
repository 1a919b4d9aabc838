package io.deadbolt.server.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the table tells operators and metrics: grant times, labels and waiter counts ({@code info},
 * {@code locks}), and the hold and wait durations it reports, all in the time the caller passes in.
 */
class LockTableIntrospectionTest {
    private static final long GRACE = 1_000;
    private static final long LONG_WAIT = 60_000;

    private final RecordingListener listener = new RecordingListener();
    private final LockTable table = new LockTable(100, listener);

    @BeforeEach
    void openSessions() {
        for (String id : List.of("a", "b", "c")) {
            table.openSession(id, GRACE);
        }
    }

    @Test
    void aHeldLockShowsItsTokenHolderGrantTimeAndWaiters() {
        long token = table.lock("a", "x", 0, 1_000).token();
        table.lock("b", "x", LONG_WAIT, 1_200);
        table.lock("c", "x", LONG_WAIT, 1_300);

        assertThat(table.describe("x")).contains(new LockTable.LockInfo("x", token, "a", null, 1_000, 2));
        assertThat(table.describe("y")).isEmpty();
    }

    @Test
    void lockingAgainKeepsTheFirstGrantTime() {
        table.lock("a", "x", 0, 1_000);
        table.lock("a", "x", 0, 5_000);

        assertThat(table.describe("x").orElseThrow().grantedAt()).isEqualTo(1_000);
    }

    @Test
    void aLockHandedToAWaiterIsGrantedAtTheTimeOfTheRelease() {
        table.lock("a", "x", 0, 1_000);
        table.lock("b", "x", LONG_WAIT, 1_200);

        table.unlock("a", "x", 1_500);

        LockTable.LockInfo info = table.describe("x").orElseThrow();
        assertThat(info.holderId()).isEqualTo("b");
        assertThat(info.grantedAt()).isEqualTo(1_500);
        assertThat(info.waiters()).isZero();
        assertThat(listener.drainTimings()).containsExactly("held 500", "waited 300");
    }

    @Test
    void aLockReleasedByExpiryIsHandedOnAtTheTimeOfTheExpiry() {
        table.lock("a", "x", 0, 1_000);
        table.lock("b", "x", LONG_WAIT, 1_100);
        table.disconnect("a", 2_000);

        table.advance(2_000 + GRACE);

        assertThat(table.describe("x").orElseThrow().grantedAt()).isEqualTo(3_000);
        assertThat(listener.drainTimings()).containsExactly("held 2000", "waited 1900");
    }

    @Test
    void aDisconnectWithoutGraceReportsTheHoldAtOnce() {
        table.setTimeout("a", 0);
        table.lock("a", "x", 0, 1_000);

        table.disconnect("a", 1_250);

        assertThat(listener.drainTimings()).containsExactly("held 250");
        assertThat(table.describe("x")).isEmpty();
    }

    @Test
    void unlockAllReportsEveryHold() {
        table.lock("a", "x", 0, 1_000);
        table.lock("a", "y", 0, 1_400);

        table.unlockAll("a", 2_000);

        assertThat(listener.drainTimings()).containsExactly("held 1000", "held 600");
    }

    @Test
    void aWaitThatTimesOutReportsItsFullWait() {
        table.lock("a", "x", 0, 1_000);
        table.lock("b", "x", 500, 1_100);

        table.advance(1_600);

        assertThat(listener.drainTimings()).containsExactly("waited 500");
        assertThat(table.describe("x").orElseThrow().waiters()).isZero();
    }

    @Test
    void answersAtOnceAndCancelledWaitsReportNoWait() {
        table.lock("a", "x", 0, 1_000);
        table.lock("b", "x", 0, 1_100);
        table.lock("c", "x", LONG_WAIT, 1_200);
        table.disconnect("c", 1_300);

        assertThat(listener.drainTimings()).isEmpty();
    }

    @Test
    void aDurationNeverComesOutNegativeWhenTheCallerClockStepsBack() {
        table.lock("a", "x", 0, 1_000);
        table.lock("b", "x", LONG_WAIT, 1_200);

        table.unlock("a", "x", 900);

        assertThat(listener.drainTimings()).containsExactly("held 0", "waited 0");
    }

    @Test
    void aLabelNamesTheSessionAndOutlivesADisconnectAndResume() {
        table.setLabel("a", "worker-1");
        table.lock("a", "x", 0, 1_000);
        assertThat(table.describe("x").orElseThrow().holderLabel()).isEqualTo("worker-1");

        table.disconnect("a", 1_100);
        assertThat(table.describe("x").orElseThrow().holderLabel()).isEqualTo("worker-1");
        table.attach("a", GRACE);
        table.setLabel("a", "worker-2");

        assertThat(table.describe("x").orElseThrow().holderLabel()).isEqualTo("worker-2");
    }

    @Test
    void aSessionCreatedByAttachHasNoLabel() {
        table.attach("fresh", GRACE);
        table.lock("fresh", "x", 0, 1_000);

        assertThat(table.describe("x").orElseThrow().holderLabel()).isNull();
    }

    @Test
    void onlyAConnectedSessionCanBeLabelled() {
        table.disconnect("a", 1_000);

        assertThatThrownBy(() -> table.setLabel("a", "late")).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void listShowsTheHeldLocksWithThePrefixInNameOrder() {
        for (String name : List.of("jobs/9", "jobs/10", "orders/1", "jobs/1", "jobsx")) {
            table.lock("a", name, 0, 1_000);
        }

        LockTable.Listing jobs = table.list("jobs/", 10);
        assertThat(jobs.locks()).extracting(LockTable.LockInfo::name).containsExactly("jobs/1", "jobs/10", "jobs/9");
        assertThat(jobs.truncated()).isFalse();
        assertThat(table.list("", 10).locks()).hasSize(5);
        assertThat(table.list("nothing", 10)).isEqualTo(new LockTable.Listing(List.of(), false));
    }

    @Test
    void listKeepsTheFirstNamesUpToTheLimitAndSaysItTruncated() {
        // Inserted largest first, so that keeping the first ones seen would keep the wrong ones.
        for (int i = 99; i >= 0; i--) {
            table.lock("a", String.format("n%02d", i), 0, 1_000);
        }

        LockTable.Listing listing = table.list("n", 3);
        assertThat(listing.locks()).extracting(LockTable.LockInfo::name).containsExactly("n00", "n01", "n02");
        assertThat(listing.truncated()).isTrue();
        assertThat(table.list("n9", 10).locks()).hasSize(10);
        assertThat(table.list("n9", 10).truncated()).isFalse();
        assertThat(table.list("n", 0)).isEqualTo(new LockTable.Listing(List.of(), true));
    }

    @Test
    void listShowsEachLocksOwnHolderAndWaiters() {
        table.setLabel("b", "billing");
        long x = table.lock("a", "x", 0, 1_000).token();
        long y = table.lock("b", "y", 0, 2_000).token();
        table.lock("c", "y", LONG_WAIT, 2_500);

        assertThat(table.list("", 10).locks()).containsExactly(
                new LockTable.LockInfo("x", x, "a", null, 1_000, 0),
                new LockTable.LockInfo("y", y, "b", "billing", 2_000, 1));
    }
}
