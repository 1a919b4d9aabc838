package io.deadbolt.server.lock;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Waiting for a held lock: FIFO hand-over, wait deadlines, waiters that go away. */
class LockTableWaitQueueTest {
    private static final long GRACE = 30_000;
    private static final long NOW = 1_000;

    private final RecordingListener listener = new RecordingListener();
    private final LockTable table = new LockTable(0, listener);

    @BeforeEach
    void openSessions() {
        for (String id : List.of("a", "b", "c", "d")) {
            table.openSession(id, GRACE);
        }
    }

    @Test
    void waitersGetTheLockInArrivalOrderAsEachHolderUnlocks() {
        long first = table.lock("a", "x", 0, NOW).token();
        // Wait lengths deliberately out of arrival order: the queue is by arrival, not by deadline.
        table.lock("b", "x", 9_000, NOW);
        table.lock("c", "x", 5_000, NOW + 1);
        table.lock("d", "x", 7_000, NOW + 2);
        assertThat(table.waitersOf("x")).containsExactly("b", "c", "d");

        table.unlock("a", "x", NOW);
        long toB = listener.drainSingleGrant("b", "x");
        assertThat(table.holderOf("x")).contains("b");
        assertThat(table.waitersOf("x")).containsExactly("c", "d");

        table.unlock("b", "x", NOW);
        long toC = listener.drainSingleGrant("c", "x");
        assertThat(table.waitersOf("x")).containsExactly("d");

        table.unlock("c", "x", NOW);
        long toD = listener.drainSingleGrant("d", "x");
        assertThat(table.waitersOf("x")).isEmpty();

        table.unlock("d", "x", NOW);
        assertThat(listener.drain()).isEmpty();
        assertThat(table.holderOf("x")).isEmpty();
        assertThat(List.of(first, toB, toC, toD)).isSorted().doesNotHaveDuplicates();
    }

    @Test
    void tokensStrictlyIncreasePerNameAndAcrossNames() {
        List<Long> all = new ArrayList<>();
        List<Long> ofX = new ArrayList<>();
        List<Long> ofY = new ArrayList<>();
        noteGrant(all, ofX, table.lock("a", "x", 0, NOW).token());
        noteGrant(all, ofY, table.lock("b", "y", 0, NOW).token());
        table.lock("c", "x", 10_000, NOW);
        table.lock("d", "y", 10_000, NOW);

        table.unlock("b", "y", NOW);
        noteGrant(all, ofY, listener.drainSingleGrant("d", "y"));
        table.unlock("a", "x", NOW);
        noteGrant(all, ofX, listener.drainSingleGrant("c", "x"));
        table.lock("a", "y", 10_000, NOW);
        table.lock("b", "x", 10_000, NOW);
        table.unlock("c", "x", NOW);
        noteGrant(all, ofX, listener.drainSingleGrant("b", "x"));
        table.unlock("d", "y", NOW);
        noteGrant(all, ofY, listener.drainSingleGrant("a", "y"));
        table.unlock("b", "x", NOW);
        noteGrant(all, ofX, table.lock("d", "x", 0, NOW).token());

        assertThat(all).hasSize(7).isSorted().doesNotHaveDuplicates();
        assertThat(ofX).hasSize(4).isSorted().doesNotHaveDuplicates();
        assertThat(ofY).hasSize(3).isSorted().doesNotHaveDuplicates();
    }

    @Test
    void advanceBeforeTheWaitDeadlineDoesNothing() {
        table.lock("a", "x", 0, NOW);
        table.lock("b", "x", 500, NOW);

        table.advance(NOW + 499);

        assertThat(listener.drain()).isEmpty();
        assertThat(table.waitersOf("x")).containsExactly("b");
        assertThat(table.waiters()).isEqualTo(1);
        assertThat(table.nextDeadline()).isEqualTo(NOW + 500);
    }

    @Test
    void atItsDeadlineAWaitExpiresAndLeavesTheQueueAtOnce() {
        table.lock("a", "x", 0, NOW);
        table.lock("b", "x", 500, NOW);

        table.advance(NOW + 500);

        assertThat(listener.drainBrief()).containsExactly("waitExpired b x");
        assertThat(table.waitersOf("x")).isEmpty();
        assertThat(table.waiters()).isZero();
        assertThat(table.nextDeadline()).isEqualTo(Long.MAX_VALUE);
        assertThat(table.counters().lockUnavailable()).isEqualTo(1);
    }

    @Test
    void aWaitExpiresOnlyOnce() {
        table.lock("a", "x", 0, NOW);
        table.lock("b", "x", 500, NOW);

        table.advance(NOW + 500);
        table.advance(NOW + 500);
        table.advance(NOW + 100_000);

        assertThat(listener.drainBrief()).containsExactly("waitExpired b x");
    }

    @Test
    void aLockReleasedAfterTheWaitExpiredIsNotHandedToTheExpiredWaiter() {
        table.lock("a", "x", 0, NOW);
        table.lock("b", "x", 500, NOW);
        table.advance(NOW + 500);
        listener.drain();

        table.unlock("a", "x", NOW);

        assertThat(listener.drain()).isEmpty();
        assertThat(table.holderOf("x")).isEmpty();
        assertThat(table.heldBy("b")).isEmpty();
    }

    @Test
    void anExpiredWaiterIsSkippedAndTheNextInLineGetsTheLock() {
        table.lock("a", "x", 0, NOW);
        table.lock("b", "x", 500, NOW);
        table.lock("c", "x", 5_000, NOW);
        table.advance(NOW + 500);
        assertThat(listener.drainBrief()).containsExactly("waitExpired b x");
        assertThat(table.waitersOf("x")).containsExactly("c");

        table.unlock("a", "x", NOW);

        listener.drainSingleGrant("c", "x");
        assertThat(table.holderOf("x")).contains("c");
    }

    @Test
    void nextDeadlineReportsTheEarliestPendingWait() {
        assertThat(table.nextDeadline()).isEqualTo(Long.MAX_VALUE);
        table.lock("a", "x", 0, NOW);
        table.lock("a", "y", 0, NOW);

        table.lock("b", "x", 500, NOW);
        assertThat(table.nextDeadline()).isEqualTo(NOW + 500);

        table.lock("c", "y", 200, NOW + 100);
        assertThat(table.nextDeadline()).isEqualTo(NOW + 300);

        table.lock("d", "x", 1_000, NOW + 100);
        assertThat(table.nextDeadline()).isEqualTo(NOW + 300);

        table.unlock("a", "y", NOW);
        listener.drainSingleGrant("c", "y");
        assertThat(table.nextDeadline()).as("c's wait ended by a grant").isEqualTo(NOW + 500);

        table.advance(NOW + 500);
        assertThat(listener.drainBrief()).containsExactly("waitExpired b x");
        assertThat(table.nextDeadline()).isEqualTo(NOW + 1_100);

        table.unlock("a", "x", NOW);
        listener.drainSingleGrant("d", "x");
        assertThat(table.nextDeadline()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void overdueWaitsExpireInDeadlineOrderNotArrivalOrder() {
        table.lock("a", "x", 0, NOW);
        table.lock("a", "y", 0, NOW);
        table.lock("b", "x", 2_000, NOW);
        table.lock("c", "y", 500, NOW + 10);
        table.lock("d", "x", 1_000, NOW + 20);

        table.advance(NOW + 10_000);

        assertThat(listener.drainBrief()).containsExactly("waitExpired c y", "waitExpired d x", "waitExpired b x");
        assertThat(table.waiters()).isZero();
    }

    @Test
    void aWaiterThatDisconnectsLeavesTheQueueAtOnceAndTheNextWaiterGetsTheLock() {
        table.lock("a", "x", 0, NOW);
        table.lock("b", "x", 500, NOW);
        table.lock("c", "x", 5_000, NOW);

        table.disconnect("b", NOW + 100);

        assertThat(table.waitersOf("x")).containsExactly("c");
        assertThat(table.waiters()).isEqualTo(1);
        assertThat(listener.drain()).as("a disconnected waiter gets no late answer").isEmpty();
        assertThat(table.nextDeadline()).as("b's wait no longer counts").isEqualTo(NOW + 5_000);

        table.unlock("a", "x", NOW);
        listener.drainSingleGrant("c", "x");

        table.advance(NOW + 500);
        assertThat(listener.drain()).as("b's cancelled wait does not fire").isEmpty();
    }

    @Test
    void aLockHandedToAWaiterIsNotFreedByTheOldHoldersUnlockAll() {
        table.lock("a", "x", 0, NOW);
        table.lock("a", "y", 0, NOW);
        table.lock("b", "x", 5_000, NOW);
        table.unlock("a", "x", NOW);
        listener.drainSingleGrant("b", "x");
        assertThat(table.heldBy("a")).containsExactly("y");
        assertThat(table.heldBy("b")).containsExactly("x");

        assertThat(table.unlockAll("a", NOW)).isEqualTo(1);

        assertThat(table.holderOf("x")).contains("b");
        assertThat(table.heldBy("b")).containsExactly("x");
        assertThat(table.unlock("a", "x", NOW)).isEqualTo(UnlockResult.NOT_YOURS);
        assertThat(table.holderOf("x")).contains("b");
    }

    @Test
    void aLockHandedToAWaiterIsNotFreedByTheOldHoldersGraceExpiry() {
        table.lock("a", "x", 0, NOW);
        table.lock("a", "y", 0, NOW);
        table.lock("b", "x", 5_000, NOW);
        table.unlock("a", "x", NOW);
        listener.drainSingleGrant("b", "x");

        table.disconnect("a", NOW);
        table.advance(NOW + GRACE);

        assertThat(listener.drainBrief()).containsExactly("sessionExpired a 1");
        assertThat(table.holderOf("x")).contains("b");
        assertThat(table.holderOf("y")).isEmpty();
        assertThat(table.heldBy("b")).containsExactly("x");
        assertThat(table.counters().locksReleasedByExpiry()).isEqualTo(1);
    }

    @Test
    void locksHandedOnByUnlockAllAreNotFreedByTheOldHoldersLaterExpiry() {
        table.lock("a", "x", 0, NOW);
        table.lock("a", "y", 0, NOW);
        table.lock("b", "x", 5_000, NOW);
        table.lock("c", "y", 5_000, NOW);
        table.unlockAll("a", NOW);
        assertThat(listener.drainBrief()).containsExactly("granted b x", "granted c y");
        table.lock("a", "z", 0, NOW);

        table.disconnect("a", NOW);
        table.advance(NOW + GRACE);

        assertThat(listener.drainBrief()).containsExactly("sessionExpired a 1");
        assertThat(table.holderOf("x")).contains("b");
        assertThat(table.holderOf("y")).contains("c");
        assertThat(table.holderOf("z")).isEmpty();
    }

    @Test
    void aLockHandedOnAtGraceExpiryLeavesTheExpiredSession() {
        table.lock("a", "x", 0, NOW);
        table.lock("b", "x", GRACE * 2, NOW);
        table.disconnect("a", NOW);
        table.advance(NOW + GRACE);
        assertThat(listener.drainBrief()).containsExactly("granted b x", "sessionExpired a 1");

        assertThat(table.attach("a", GRACE)).isEqualTo(AttachResult.CREATED);

        assertThat(table.heldBy("a")).isEmpty();
        assertThat(table.unlock("a", "x", NOW)).isEqualTo(UnlockResult.NOT_YOURS);
        assertThat(table.holderOf("x")).contains("b");
    }

    private static void noteGrant(List<Long> all, List<Long> ofName, long token) {
        all.add(token);
        ofName.add(token);
    }
}
