package io.deadbolt.server.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** lock / unlock / unlock_all answers, tokens and counters of the {@link LockTable}. */
class LockTableLockingTest {
    private static final long TOKEN_FLOOR = 1_000_000L;
    private static final long GRACE = 30_000;
    private static final long NOW = 5_000;
    private static final long LONG_WAIT = 60_000;

    private final RecordingListener listener = new RecordingListener();
    private final LockTable table = new LockTable(TOKEN_FLOOR, listener);

    @BeforeEach
    void openSessions() {
        for (String id : List.of("a", "b", "c")) {
            assertThat(table.openSession(id, GRACE)).isTrue();
        }
    }

    @Test
    void lockOfAFreeNameIsAcquiredWithATokenAboveTheFloor() {
        LockResult result = table.lock("a", "x", 0, NOW);

        assertThat(result.outcome()).isEqualTo(LockResult.Outcome.ACQUIRED);
        assertThat(result.token()).isGreaterThan(TOKEN_FLOOR);
        assertThat(table.holderOf("x")).contains("a");
        assertThat(table.heldBy("a")).containsExactly("x");
        assertThat(table.lastToken()).isEqualTo(result.token());
        assertThat(listener.drain()).isEmpty();
    }

    @Test
    void aTableWithFloorZeroGrantsPositiveTokens() {
        LockTable fresh = new LockTable(0, listener);
        fresh.openSession("a", GRACE);

        assertThat(fresh.lock("a", "x", 0, NOW).token()).isPositive();
    }

    @Test
    void aNegativeTokenFloorIsRejected() {
        assertThatThrownBy(() -> new LockTable(-1, listener)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void relockByTheHolderReturnsTheSameTokenAndDoesNotQueue() {
        long token = table.lock("a", "x", 0, NOW).token();

        LockResult again = table.lock("a", "x", LONG_WAIT, NOW + 10);

        assertThat(again).isEqualTo(LockResult.acquired(token));
        assertThat(table.waitersOf("x")).isEmpty();
        assertThat(table.waiters()).isZero();
        assertThat(table.heldBy("a")).containsExactly("x");
        assertThat(table.lastToken()).isEqualTo(token);
        assertThat(table.nextDeadline()).isEqualTo(Long.MAX_VALUE);
        table.advance(NOW + 10 + LONG_WAIT);
        assertThat(listener.drain()).isEmpty();
    }

    @Test
    void lockHeldByAnotherWithoutWaitIsUnavailable() {
        table.lock("a", "x", 0, NOW);

        LockResult result = table.lock("b", "x", 0, NOW);

        assertThat(result.outcome()).isEqualTo(LockResult.Outcome.UNAVAILABLE);
        assertThat(table.holderOf("x")).contains("a");
        assertThat(table.heldBy("b")).isEmpty();
        assertThat(table.waitersOf("x")).isEmpty();
        assertThat(table.nextDeadline()).isEqualTo(Long.MAX_VALUE);
        table.unlock("a", "x", NOW);
        assertThat(listener.drain()).as("b was not queued, so nothing is handed to it").isEmpty();
        assertThat(table.holderOf("x")).isEmpty();
    }

    @Test
    void lockHeldByAnotherWithAWaitIsQueued() {
        table.lock("a", "x", 0, NOW);

        LockResult result = table.lock("b", "x", 1_000, NOW);

        assertThat(result.outcome()).isEqualTo(LockResult.Outcome.QUEUED);
        assertThat(table.waitersOf("x")).containsExactly("b");
        assertThat(table.waiters()).isEqualTo(1);
        assertThat(table.holderOf("x")).contains("a");
        assertThat(table.heldBy("b")).isEmpty();
        assertThat(listener.drain()).as("a queued request is answered later").isEmpty();
    }

    @Test
    void unlockByTheHolderIsUnlockedAndFreesTheName() {
        long first = table.lock("a", "x", 0, NOW).token();

        assertThat(table.unlock("a", "x", NOW)).isEqualTo(UnlockResult.UNLOCKED);

        assertThat(table.holderOf("x")).isEmpty();
        assertThat(table.heldBy("a")).isEmpty();
        assertThat(table.heldLocks()).isZero();
        LockResult next = table.lock("b", "x", 0, NOW);
        assertThat(next.outcome()).isEqualTo(LockResult.Outcome.ACQUIRED);
        assertThat(next.token()).isGreaterThan(first);
    }

    @Test
    void unlockOfALockHeldByAnotherIsNotYours() {
        table.lock("a", "x", 0, NOW);

        assertThat(table.unlock("b", "x", NOW)).isEqualTo(UnlockResult.NOT_YOURS);

        assertThat(table.holderOf("x")).contains("a");
        assertThat(table.heldBy("a")).containsExactly("x");
    }

    @Test
    void unlockOfAFreeNameIsNotLocked() {
        assertThat(table.unlock("a", "x", NOW)).isEqualTo(UnlockResult.NOT_LOCKED);

        table.lock("a", "x", 0, NOW);
        table.unlock("a", "x", NOW);
        assertThat(table.unlock("a", "x", NOW)).isEqualTo(UnlockResult.NOT_LOCKED);
    }

    @Test
    void oneUnlockFreesALockTakenTwice() {
        table.lock("a", "x", 0, NOW);
        table.lock("a", "x", 0, NOW);

        assertThat(table.unlock("a", "x", NOW)).isEqualTo(UnlockResult.UNLOCKED);

        assertThat(table.holderOf("x")).isEmpty();
        assertThat(table.heldBy("a")).isEmpty();
        assertThat(table.lock("b", "x", 0, NOW).outcome()).isEqualTo(LockResult.Outcome.ACQUIRED);
        assertThat(table.unlock("a", "x", NOW)).isEqualTo(UnlockResult.NOT_YOURS);
    }

    @Test
    void unlockAllReleasesEveryLockOfTheSessionAndNoOther() {
        table.lock("a", "x", 0, NOW);
        table.lock("a", "y", 0, NOW);
        table.lock("b", "z", 0, NOW);

        assertThat(table.unlockAll("a", NOW)).isEqualTo(2);

        assertThat(table.heldBy("a")).isEmpty();
        assertThat(table.holderOf("x")).isEmpty();
        assertThat(table.holderOf("y")).isEmpty();
        assertThat(table.holderOf("z")).contains("b");
        assertThat(table.unlockAll("a", NOW)).isZero();
    }

    @Test
    void unlockAllHandsEachLockToItsFirstWaiter() {
        table.lock("a", "x", 0, NOW);
        table.lock("a", "y", 0, NOW);
        table.lock("b", "x", LONG_WAIT, NOW);
        table.lock("c", "y", LONG_WAIT, NOW);

        assertThat(table.unlockAll("a", NOW)).isEqualTo(2);

        assertThat(listener.drainBrief()).containsExactly("granted b x", "granted c y");
        assertThat(table.holderOf("x")).contains("b");
        assertThat(table.holderOf("y")).contains("c");
        assertThat(table.waiters()).isZero();
    }

    @Test
    void heldByListsLocksOldestGrantFirst() {
        table.lock("a", "y", 0, NOW);
        table.lock("a", "x", 0, NOW);
        table.lock("a", "z", 0, NOW);
        assertThat(table.heldBy("a")).containsExactly("y", "x", "z");

        table.unlock("a", "x", NOW);
        table.lock("a", "x", 0, NOW);

        assertThat(table.heldBy("a")).containsExactly("y", "z", "x");
    }

    @Test
    void everyImmediateGrantHasALargerTokenThanTheOnesBefore() {
        List<Long> tokens = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
            for (String name : List.of("x", "y", "z")) {
                tokens.add(table.lock("a", name, 0, NOW).token());
            }
            table.unlockAll("a", NOW);
        }

        assertThat(tokens).hasSize(9).isSorted().doesNotHaveDuplicates();
        assertThat(tokens.get(0)).isGreaterThan(TOKEN_FLOOR);
    }

    @Test
    void countersCountCommandsAndTheirOutcomes() {
        table.lock("a", "x", 0, NOW);
        assertThat(table.counters()).isEqualTo(counters(1, 0, 1, 0, 0));

        table.lock("a", "x", 0, NOW);
        assertThat(table.counters()).as("a re-lock is answered Acquired").isEqualTo(counters(2, 0, 2, 0, 0));

        table.lock("b", "x", 0, NOW);
        assertThat(table.counters()).isEqualTo(counters(3, 0, 2, 0, 1));

        table.lock("b", "x", LONG_WAIT, NOW);
        table.lock("c", "x", 100, NOW);
        assertThat(table.counters()).as("queued requests are neither acquired nor unavailable yet")
                .isEqualTo(counters(5, 0, 2, 0, 1));

        table.advance(NOW + 100);
        assertThat(listener.drainBrief()).containsExactly("waitExpired c x");
        assertThat(table.counters()).as("a wait that runs out is answered Unavailable")
                .isEqualTo(counters(5, 0, 2, 0, 2));

        assertThat(table.unlock("a", "y", NOW)).isEqualTo(UnlockResult.NOT_LOCKED);
        assertThat(table.unlock("b", "x", NOW)).isEqualTo(UnlockResult.NOT_YOURS);
        assertThat(table.counters()).isEqualTo(counters(5, 2, 2, 0, 2));

        assertThat(table.unlock("a", "x", NOW)).isEqualTo(UnlockResult.UNLOCKED);
        assertThat(listener.drainBrief()).containsExactly("granted b x");
        assertThat(table.counters()).isEqualTo(counters(5, 3, 3, 1, 2));
    }

    @Test
    void aSessionAwaitsAtMostOneLockAtATime() {
        table.lock("a", "x", 0, NOW);
        table.lock("a", "y", 0, NOW);
        table.lock("b", "x", LONG_WAIT, NOW);

        assertThatThrownBy(() -> table.lock("b", "y", LONG_WAIT, NOW)).isInstanceOf(IllegalStateException.class);

        assertThat(table.waitersOf("x")).containsExactly("b");
        assertThat(table.waitersOf("y")).isEmpty();
        assertThat(table.waiters()).isEqualTo(1);
    }

    @Test
    void commandsOfASessionWithoutAConnectionAreRejected() {
        table.lock("a", "x", 0, NOW);
        table.disconnect("a", NOW);

        assertThatThrownBy(() -> table.lock("a", "y", 0, NOW)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> table.unlock("a", "x", NOW)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> table.unlockAll("a", NOW)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> table.lock("nobody", "y", 0, NOW)).isInstanceOf(IllegalStateException.class);

        assertThat(table.holderOf("x")).contains("a");
        assertThat(table.holderOf("y")).isEmpty();
    }

    private static LockTable.Counters counters(long cmdLock, long cmdUnlock, long acquired, long acquiredAfterWait,
                                               long unavailable) {
        return new LockTable.Counters(cmdLock, cmdUnlock, acquired, acquiredAfterWait, unavailable, 0, 0, 0);
    }
}
