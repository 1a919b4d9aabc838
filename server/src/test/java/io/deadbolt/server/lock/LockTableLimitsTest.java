package io.deadbolt.server.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The per-client limits: locks per session, and sessions in grace. */
class LockTableLimitsTest {
    private static final long GRACE = 1_000;
    private static final long LONG_WAIT = 60_000;

    private final RecordingListener listener = new RecordingListener();

    private static void open(LockTable table, String... ids) {
        for (String id : ids) {
            assertThat(table.openSession(id, GRACE)).isTrue();
        }
    }

    @Test
    void aSessionAtItsLockLimitIsRefusedAnyOtherLockButKeepsItsOwn() {
        LockTable table = new LockTable(0, listener, new LockTable.Limits(2, 100));
        open(table, "a", "b");
        long x = table.lock("a", "x", 0, 0).token();
        table.lock("a", "y", 0, 0);
        table.lock("b", "held-by-b", 0, 0);

        assertThat(table.lock("a", "z", 0, 0)).isEqualTo(LockResult.TOO_MANY_LOCKS);
        assertThat(table.lock("a", "held-by-b", LONG_WAIT, 0)).isEqualTo(LockResult.TOO_MANY_LOCKS);
        assertThat(table.lock("a", "x", 0, 0)).isEqualTo(LockResult.acquired(x));

        assertThat(table.waiters()).isZero();
        assertThat(table.holderOf("z")).isEmpty();
        assertThat(table.heldBy("a")).containsExactly("x", "y");
        assertThat(table.lockOverLimit()).isEqualTo(2);
        assertThat(table.counters().cmdLock()).isEqualTo(6);
        assertThat(listener.drain()).isEmpty();
    }

    @Test
    void unlockingMakesRoomAgain() {
        LockTable table = new LockTable(0, listener, new LockTable.Limits(1, 100));
        open(table, "a");
        table.lock("a", "x", 0, 0);
        assertThat(table.lock("a", "y", 0, 0)).isEqualTo(LockResult.TOO_MANY_LOCKS);

        table.unlock("a", "x", 0);

        assertThat(table.lock("a", "y", 0, 0).outcome()).isEqualTo(LockResult.Outcome.ACQUIRED);
    }

    @Test
    void aWaitThatEndsInAGrantNeverTakesASessionPastItsLimit() {
        LockTable table = new LockTable(0, listener, new LockTable.Limits(2, 100));
        open(table, "a", "b");
        table.lock("a", "mine", 0, 0);
        table.lock("b", "x", 0, 0);
        assertThat(table.lock("a", "x", LONG_WAIT, 0)).isEqualTo(LockResult.QUEUED);

        table.unlock("b", "x", 0);

        listener.drainSingleGrant("a", "x");
        assertThat(table.heldBy("a")).containsExactly("mine", "x");
        assertThat(table.lock("a", "third", 0, 0)).isEqualTo(LockResult.TOO_MANY_LOCKS);
    }

    @Test
    void oneSessionTooManyInGraceEndsTheGraceThatWouldEndSoonest() {
        LockTable table = new LockTable(0, listener, new LockTable.Limits(100, 2));
        open(table, "long", "short", "new", "waiter");
        table.setTimeout("long", 5_000);
        table.setTimeout("short", 1_000);
        table.setTimeout("new", 3_000);
        table.lock("long", "a", 0, 0);
        table.lock("short", "b", 0, 0);
        table.lock("new", "c", 0, 0);
        table.lock("waiter", "b", LONG_WAIT, 0);

        table.disconnect("long", 0);
        table.disconnect("short", 10);
        assertThat(listener.drain()).isEmpty();
        table.disconnect("new", 20);

        // "short" would have ended at 1010, before "long" (5000) and "new" (3020): its lock goes now.
        assertThat(listener.drainBrief()).containsExactly("granted waiter b", "sessionExpired short 1");
        assertThat(table.hasSession("short")).isFalse();
        assertThat(table.heldBy("long")).containsExactly("a");
        assertThat(table.heldBy("new")).containsExactly("c");
        assertThat(table.sessionsInGrace()).isEqualTo(2);
        assertThat(table.sessionsEvicted()).isEqualTo(1);
        assertThat(table.counters().sessionsExpired()).isEqualTo(1);
        assertThat(table.counters().locksReleasedByExpiry()).isEqualTo(1);
        // The evicted session's deadline is gone; the others keep theirs.
        assertThat(table.nextDeadline()).isEqualTo(3_020);
    }

    @Test
    void theSessionThatJustDisconnectedGoesIfItsGraceIsTheShortest() {
        LockTable table = new LockTable(0, listener, new LockTable.Limits(100, 1));
        open(table, "a", "b");
        table.lock("a", "x", 0, 0);
        table.lock("b", "y", 0, 0);
        table.setTimeout("b", 10);
        table.disconnect("a", 0);

        table.disconnect("b", 0);

        assertThat(listener.drainBrief()).containsExactly("sessionExpired b 1");
        assertThat(table.heldBy("a")).containsExactly("x");
        assertThat(table.holderOf("y")).isEmpty();
    }

    @Test
    void aResumedSessionNoLongerCountsAsInGrace() {
        LockTable table = new LockTable(0, listener, new LockTable.Limits(100, 1));
        open(table, "a", "b");
        table.lock("a", "x", 0, 0);
        table.lock("b", "y", 0, 0);
        table.disconnect("a", 0);
        assertThat(table.attach("a", GRACE)).isEqualTo(AttachResult.resumed(1));

        table.disconnect("b", 0);

        assertThat(listener.drain()).isEmpty();
        assertThat(table.heldBy("a")).containsExactly("x");
        assertThat(table.heldBy("b")).containsExactly("y");
        assertThat(table.sessionsEvicted()).isZero();
    }

    @Test
    void aSessionWhoseGraceRanOutNoLongerCountsAsInGrace() {
        LockTable table = new LockTable(0, listener, new LockTable.Limits(100, 1));
        open(table, "a", "b");
        table.lock("b", "y", 0, 0);
        table.lock("a", "x", 0, 0);
        table.disconnect("a", 0);
        table.advance(GRACE);
        assertThat(listener.drainBrief()).containsExactly("sessionExpired a 1");

        table.disconnect("b", GRACE);

        assertThat(listener.drain()).isEmpty();
        assertThat(table.heldBy("b")).containsExactly("y");
        assertThat(table.sessionsEvicted()).isZero();
    }

    @Test
    void withNoRoomInGraceADisconnectReleasesAtOnce() {
        LockTable table = new LockTable(0, listener, new LockTable.Limits(100, 0));
        open(table, "a");
        table.lock("a", "x", 0, 0);

        table.disconnect("a", 0);

        assertThat(listener.drainBrief()).containsExactly("sessionExpired a 1");
        assertThat(table.sessions()).isZero();
        assertThat(table.nextDeadline()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void limitsMustLeaveRoomForOneLock() {
        assertThatThrownBy(() -> new LockTable.Limits(0, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new LockTable.Limits(1, -1)).isInstanceOf(IllegalArgumentException.class);
    }
}
