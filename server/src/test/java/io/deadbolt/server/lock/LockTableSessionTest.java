package io.deadbolt.server.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Sessions: grace periods, resuming, timeouts, ids, and the gauges that describe them. */
class LockTableSessionTest {
    private static final long GRACE = 1_000;
    private static final long LONG_WAIT = 60_000;

    private final RecordingListener listener = new RecordingListener();
    private final LockTable table = new LockTable(0, listener);

    private void open(String... ids) {
        for (String id : ids) {
            assertThat(table.openSession(id, GRACE)).isTrue();
        }
    }

    @Test
    void aDisconnectedSessionKeepsItsLocksUntilJustBeforeTheGraceDeadline() {
        open("a", "b");
        table.lock("a", "x", 0, 0);
        table.lock("a", "y", 0, 0);

        table.disconnect("a", 2_000);
        table.advance(2_000 + GRACE - 1);

        assertThat(listener.drain()).isEmpty();
        assertThat(table.hasSession("a")).isTrue();
        assertThat(table.isConnected("a")).isFalse();
        assertThat(table.heldBy("a")).containsExactly("x", "y");
        assertThat(table.holderOf("x")).contains("a");
        assertThat(table.lock("b", "x", 0, 2_000 + GRACE - 1).outcome()).isEqualTo(LockResult.Outcome.UNAVAILABLE);
        assertThat(table.nextDeadline()).isEqualTo(2_000 + GRACE);
    }

    @Test
    void atTheGraceDeadlineLocksAreReleasedAndHandedToWaitersInOrder() {
        open("a", "b", "c", "d");
        table.lock("a", "x", 0, 0);
        table.lock("a", "y", 0, 0);
        table.lock("a", "z", 0, 0);
        table.lock("b", "x", LONG_WAIT, 0);
        table.lock("c", "x", LONG_WAIT, 0);
        table.lock("d", "y", LONG_WAIT, 0);
        long tokenBefore = table.lastToken();

        table.disconnect("a", 100);
        table.advance(100 + GRACE);

        List<RecordingListener.Event> events = listener.drain();
        assertThat(events).extracting(RecordingListener.Event::brief)
                .containsExactly("granted b x", "granted d y", "sessionExpired a 3");
        long toB = ((RecordingListener.Granted) events.get(0)).token();
        long toD = ((RecordingListener.Granted) events.get(1)).token();
        assertThat(toB).isGreaterThan(tokenBefore);
        assertThat(toD).isGreaterThan(toB);
        assertThat(table.hasSession("a")).isFalse();
        assertThat(table.holderOf("x")).contains("b");
        assertThat(table.holderOf("y")).contains("d");
        assertThat(table.holderOf("z")).isEmpty();
        assertThat(table.waitersOf("x")).containsExactly("c");
        assertThat(table.counters().sessionsExpired()).isEqualTo(1);
        assertThat(table.counters().locksReleasedByExpiry()).isEqualTo(3);
        assertThat(table.counters().lockAcquiredAfterWait()).isEqualTo(2);

        table.unlock("b", "x", 100);
        listener.drainSingleGrant("c", "x");
    }

    @Test
    void aGraceOfZeroReleasesTheLocksAtDisconnect() {
        assertThat(table.openSession("a", 0)).isTrue();
        open("b");
        table.lock("a", "x", 0, 0);
        table.lock("a", "y", 0, 0);
        table.lock("b", "x", LONG_WAIT, 0);

        table.disconnect("a", 50);

        assertThat(listener.drainBrief()).containsExactly("granted b x", "sessionExpired a 2");
        assertThat(table.hasSession("a")).isFalse();
        assertThat(table.holderOf("x")).contains("b");
        assertThat(table.holderOf("y")).isEmpty();
        assertThat(table.nextDeadline()).isEqualTo(Long.MAX_VALUE);
        assertThat(table.counters().sessionsExpired()).isEqualTo(1);
        assertThat(table.counters().locksReleasedByExpiry()).isEqualTo(2);
    }

    @Test
    void attachingToASessionInGraceResumesItWithItsLocksAndCancelsTheGrace() {
        open("a");
        table.lock("a", "x", 0, 0);
        table.lock("a", "y", 0, 0);
        table.disconnect("a", 0);

        AttachResult result = table.attach("a", 99);

        assertThat(result).isEqualTo(AttachResult.resumed(2));
        assertThat(table.isConnected("a")).isTrue();
        assertThat(table.sessionsInGrace()).isZero();
        assertThat(table.counters().sessionsResumed()).isEqualTo(1);
        assertThat(table.nextDeadline()).isEqualTo(Long.MAX_VALUE);

        table.advance(GRACE * 10);

        assertThat(listener.drain()).isEmpty();
        assertThat(table.heldBy("a")).containsExactly("x", "y");
        assertThat(table.counters().sessionsExpired()).isZero();
        assertThat(table.unlock("a", "x", 100)).as("the resumed session speaks for its locks")
                .isEqualTo(UnlockResult.UNLOCKED);
    }

    @Test
    void attachingToAConnectedSessionIsRefused() {
        open("a");
        table.lock("a", "x", 0, 0);

        assertThat(table.attach("a", GRACE)).isEqualTo(AttachResult.REFUSED);

        assertThat(table.isConnected("a")).isTrue();
        assertThat(table.heldBy("a")).containsExactly("x");
        assertThat(table.sessions()).isEqualTo(1);
        assertThat(table.counters().sessionsResumed()).isZero();
    }

    @Test
    void attachingToAnUnknownIdCreatesAConnectedSessionWithTheGivenGrace() {
        assertThat(table.attach("chosen", 700)).isEqualTo(AttachResult.CREATED);

        assertThat(table.isConnected("chosen")).isTrue();
        assertThat(table.heldBy("chosen")).isEmpty();
        assertThat(table.counters().sessionsResumed()).isZero();

        table.lock("chosen", "x", 0, 0);
        table.disconnect("chosen", 0);
        table.advance(699);
        assertThat(listener.drain()).isEmpty();
        table.advance(700);
        assertThat(listener.drainBrief()).containsExactly("sessionExpired chosen 1");
    }

    @Test
    void aResumedSessionGetsAFullNewGracePeriodFromItsSecondDisconnect() {
        open("a");
        table.lock("a", "x", 0, 0);
        table.disconnect("a", 0);
        table.attach("a", GRACE);

        table.disconnect("a", 900);

        assertThat(table.nextDeadline()).isEqualTo(900 + GRACE);
        table.advance(GRACE);
        table.advance(900 + GRACE - 1);
        assertThat(listener.drain()).as("nothing left of the first grace period").isEmpty();
        assertThat(table.holderOf("x")).contains("a");

        table.advance(900 + GRACE);
        assertThat(listener.drainBrief()).containsExactly("sessionExpired a 1");
    }

    @Test
    void resumeRaceWhenTheExpiryRunsFirstTheSessionIsNewAndItsLocksAreGone() {
        open("a", "b");
        table.lock("a", "x", 0, 0);
        table.disconnect("a", 0);

        table.advance(GRACE);
        AttachResult result = table.attach("a", GRACE);

        assertThat(result).isEqualTo(AttachResult.CREATED);
        assertThat(listener.drainBrief()).containsExactly("sessionExpired a 1");
        assertThat(table.heldBy("a")).isEmpty();
        assertThat(table.holderOf("x")).isEmpty();
        assertThat(table.lock("b", "x", 0, GRACE).outcome()).isEqualTo(LockResult.Outcome.ACQUIRED);
    }

    @Test
    void resumeRaceWhenTheAttachRunsFirstTheSessionIsResumedWithItsLocks() {
        open("a");
        table.lock("a", "x", 0, 0);
        table.disconnect("a", 0);

        AttachResult result = table.attach("a", GRACE);
        table.advance(GRACE);

        assertThat(result).isEqualTo(AttachResult.resumed(1));
        assertThat(listener.drain()).isEmpty();
        assertThat(table.holderOf("x")).contains("a");
    }

    @Test
    void setTimeoutChangesTheGraceUsedAtTheNextDisconnect() {
        open("a");
        table.lock("a", "x", 0, 0);

        table.setTimeout("a", 5_000);
        table.disconnect("a", 0);

        assertThat(table.nextDeadline()).isEqualTo(5_000);
        table.advance(4_999);
        assertThat(listener.drain()).isEmpty();
        table.advance(5_000);
        assertThat(listener.drainBrief()).containsExactly("sessionExpired a 1");
    }

    @Test
    void aResumedSessionKeepsTheTimeoutItSetRatherThanTheDefault() {
        open("a");
        table.lock("a", "x", 0, 0);
        table.setTimeout("a", 5_000);
        table.disconnect("a", 0);
        table.attach("a", GRACE);

        table.disconnect("a", 100);

        assertThat(table.nextDeadline()).isEqualTo(5_100);
    }

    @Test
    void setTimeoutToZeroReleasesAtTheNextDisconnect() {
        open("a");
        table.lock("a", "x", 0, 0);
        table.setTimeout("a", 0);

        table.disconnect("a", 0);

        assertThat(listener.drainBrief()).containsExactly("sessionExpired a 1");
        assertThat(table.holderOf("x")).isEmpty();
    }

    @Test
    void aNegativeTimeoutIsRejectedAndTheOldOneStays() {
        open("a");
        table.lock("a", "x", 0, 0);

        assertThatThrownBy(() -> table.setTimeout("a", -1)).isInstanceOf(IllegalArgumentException.class);

        table.disconnect("a", 0);
        assertThat(table.nextDeadline()).isEqualTo(GRACE);
        assertThat(table.holderOf("x")).contains("a");
    }

    @Test
    void openSessionRefusesAnIdOfAConnectedSession() {
        open("a");
        table.lock("a", "x", 0, 0);

        assertThat(table.openSession("a", 5)).isFalse();

        assertThat(table.sessions()).isEqualTo(1);
        assertThat(table.heldBy("a")).containsExactly("x");
        table.disconnect("a", 0);
        assertThat(table.nextDeadline()).as("the refused open did not replace the grace").isEqualTo(GRACE);
    }

    @Test
    void openSessionRefusesAnIdOfASessionInGrace() {
        open("a");
        table.lock("a", "x", 0, 0);
        table.disconnect("a", 0);

        assertThat(table.openSession("a", GRACE)).isFalse();

        assertThat(table.isConnected("a")).isFalse();
        assertThat(table.heldBy("a")).containsExactly("x");
        table.advance(GRACE);
        assertThat(listener.drainBrief()).containsExactly("sessionExpired a 1");
        assertThat(table.openSession("a", GRACE)).as("the id is free once the session is gone").isTrue();
    }

    @Test
    void openSessionRefusesAnIdAClientChoseWithAttach() {
        assertThat(table.attach("chosen", GRACE)).isEqualTo(AttachResult.CREATED);

        assertThat(table.openSession("chosen", GRACE)).isFalse();

        assertThat(table.sessions()).isEqualTo(1);
    }

    @Test
    void discardForgetsAnUnusedSessionWithoutExpiringIt() {
        open("a", "unused");

        table.discard("unused");

        assertThat(table.hasSession("unused")).isFalse();
        assertThat(table.sessions()).isEqualTo(1);
        assertThat(table.connectedSessions()).isEqualTo(1);
        assertThat(listener.drain()).isEmpty();
        assertThat(table.counters().sessionsExpired()).isZero();
        assertThat(table.nextDeadline()).isEqualTo(Long.MAX_VALUE);
        assertThat(table.openSession("unused", GRACE)).isTrue();
    }

    @Test
    void discardOfASessionHoldingLocksThrowsAndKeepsIt() {
        open("a");
        table.lock("a", "x", 0, 0);

        assertThatThrownBy(() -> table.discard("a")).isInstanceOf(IllegalStateException.class);

        assertThat(table.isConnected("a")).isTrue();
        assertThat(table.holderOf("x")).contains("a");
        assertThat(table.sessions()).isEqualTo(1);
    }

    @Test
    void discardOfAWaitingSessionThrowsAndKeepsItQueued() {
        open("a", "b");
        table.lock("a", "x", 0, 0);
        table.lock("b", "x", LONG_WAIT, 0);

        assertThatThrownBy(() -> table.discard("b")).isInstanceOf(IllegalStateException.class);

        assertThat(table.waitersOf("x")).containsExactly("b");
        assertThat(table.sessions()).isEqualTo(2);
    }

    @Test
    void gaugesFollowEveryKindOfStep() {
        assertThat(Gauges.of(table)).isEqualTo(new Gauges(0, 0, 0, 0, 0));

        open("a", "b", "c");
        assertThat(Gauges.of(table)).as("open").isEqualTo(new Gauges(3, 3, 0, 0, 0));

        table.lock("a", "x", 0, 0);
        table.lock("a", "y", 0, 0);
        assertThat(Gauges.of(table)).as("lock").isEqualTo(new Gauges(3, 3, 0, 2, 0));

        table.lock("b", "x", LONG_WAIT, 0);
        table.lock("c", "y", 100, 0);
        assertThat(Gauges.of(table)).as("queue").isEqualTo(new Gauges(3, 3, 0, 2, 2));

        table.advance(100);
        assertThat(Gauges.of(table)).as("wait expiry").isEqualTo(new Gauges(3, 3, 0, 2, 1));

        table.disconnect("a", 100);
        assertThat(Gauges.of(table)).as("disconnect of a holder").isEqualTo(new Gauges(3, 2, 1, 2, 1));

        table.attach("a", GRACE);
        assertThat(Gauges.of(table)).as("resume").isEqualTo(new Gauges(3, 3, 0, 2, 1));

        table.unlock("a", "x", 100);
        assertThat(Gauges.of(table)).as("unlock to a waiter").isEqualTo(new Gauges(3, 3, 0, 2, 0));

        table.unlockAll("a", 100);
        assertThat(Gauges.of(table)).as("unlock_all").isEqualTo(new Gauges(3, 3, 0, 1, 0));

        table.lock("c", "x", LONG_WAIT, 100);
        table.disconnect("c", 100);
        assertThat(Gauges.of(table)).as("disconnect of a waiter").isEqualTo(new Gauges(3, 2, 1, 1, 0));

        table.disconnect("b", 200);
        assertThat(Gauges.of(table)).as("both in grace").isEqualTo(new Gauges(3, 1, 2, 1, 0));

        table.advance(100 + GRACE);
        assertThat(Gauges.of(table)).as("c's grace ran out").isEqualTo(new Gauges(2, 1, 1, 1, 0));

        table.advance(200 + GRACE);
        assertThat(Gauges.of(table)).as("b's grace ran out").isEqualTo(new Gauges(1, 1, 0, 0, 0));

        table.attach("new", GRACE);
        assertThat(Gauges.of(table)).as("attach to an unknown id").isEqualTo(new Gauges(2, 2, 0, 0, 0));

        table.discard("new");
        assertThat(Gauges.of(table)).as("discard").isEqualTo(new Gauges(1, 1, 0, 0, 0));

        table.setTimeout("a", 0);
        table.lock("a", "z", 0, 300);
        table.disconnect("a", 300);
        assertThat(Gauges.of(table)).as("disconnect with no grace").isEqualTo(new Gauges(0, 0, 0, 0, 0));
    }
}
