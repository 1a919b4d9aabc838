package io.deadbolt.server.lock;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The table's one queue of wait and grace deadlines, where deadlines cancelled early (waits granted,
 * sessions resumed) stay behind: they must neither hold {@link LockTable#nextDeadline()} at a stale
 * time nor disturb the deadlines that are still live.
 */
class LockTableDeadlineQueueTest {
    private static final long GRACE = 30_000;
    private static final int MANY = 5_000;
    private static final long WAIT = 1_000_000;

    private final RecordingListener listener = new RecordingListener();
    private final LockTable table = new LockTable(0, listener);

    /**
     * MANY waiters queue for x, waiter i at time i, so each hand-over cancels the earliest deadline and
     * the next one is that of the next waiter in line; an unrelated wait on y, due after all of them,
     * is what remains at the end.
     */
    @Test
    void thousandsOfWaitsGrantedInDeadlineOrderMoveNextDeadlineOnEachTime() {
        table.openSession("holder", GRACE);
        table.openSession("lurker", GRACE);
        table.lock("holder", "x", 0, 0);
        table.lock("holder", "y", 0, 0);
        long lurkerDeadline = 3 * WAIT;
        table.lock("lurker", "y", lurkerDeadline, 0);
        for (int i = 0; i < MANY; i++) {
            table.openSession(waiter(i), GRACE);
            table.lock(waiter(i), "x", WAIT, i);
        }
        assertThat(table.nextDeadline()).isEqualTo(WAIT);

        String current = "holder";
        long lastToken = table.lastToken();
        for (int i = 0; i < MANY; i++) {
            table.unlock(current, "x", MANY);
            long token = listener.drainSingleGrant(waiter(i), "x");
            assertThat(token).isGreaterThan(lastToken);
            lastToken = token;
            current = waiter(i);
            long expected = i + 1 < MANY ? i + 1 + WAIT : lurkerDeadline;
            assertThat(table.nextDeadline()).as("next deadline after %d hand-overs", i + 1).isEqualTo(expected);
        }
        assertThat(table.waiters()).isEqualTo(1);

        table.advance(lurkerDeadline - 1);
        assertThat(listener.drain()).isEmpty();
        table.advance(lurkerDeadline);
        assertThat(listener.drainBrief()).containsExactly("waitExpired lurker y");
        assertThat(table.nextDeadline()).isEqualTo(Long.MAX_VALUE);
    }

    /**
     * Here the cancelled deadlines pile up behind live ones that are due earlier (a wait and a grace)
     * and later (a wait and a grace), so they can only go by a purge of the queue, which must keep
     * every live deadline.
     */
    @Test
    void thousandsOfCancelledDeadlinesBehindLiveOnesGoWithoutTakingALiveOneAlong() {
        table.openSession("holder", GRACE);
        for (String id : new String[] {"early", "late", "earlyGrace", "lateGrace"}) {
            table.openSession(id, GRACE);
        }
        table.lock("holder", "x", 0, 0);
        table.lock("holder", "y", 0, 0);
        table.lock("earlyGrace", "g1", 0, 0);
        table.lock("lateGrace", "g2", 0, 0);
        table.setTimeout("earlyGrace", WAIT / 2 + 1);
        table.setTimeout("lateGrace", 4 * WAIT);
        table.disconnect("earlyGrace", 0);
        table.disconnect("lateGrace", 0);
        table.lock("early", "y", WAIT / 2, 0);
        table.lock("late", "y", 3 * WAIT, 0);
        for (int i = 0; i < MANY; i++) {
            table.openSession(waiter(i), GRACE);
            table.lock(waiter(i), "x", WAIT, i);
        }

        String current = "holder";
        for (int i = 0; i < MANY; i++) {
            table.unlock(current, "x", MANY);
            listener.drainSingleGrant(waiter(i), "x");
            current = waiter(i);
            assertThat(table.nextDeadline()).isEqualTo(WAIT / 2);
        }

        table.advance(WAIT / 2);
        assertThat(listener.drainBrief()).containsExactly("waitExpired early y");
        assertThat(table.nextDeadline()).isEqualTo(WAIT / 2 + 1);
        table.advance(WAIT / 2 + 1);
        assertThat(listener.drainBrief()).containsExactly("sessionExpired earlyGrace 1");
        assertThat(table.nextDeadline()).as("no cancelled wait in between").isEqualTo(3 * WAIT);
        table.advance(3 * WAIT);
        assertThat(listener.drainBrief()).containsExactly("waitExpired late y");
        assertThat(table.nextDeadline()).isEqualTo(4 * WAIT);
        table.advance(4 * WAIT);
        assertThat(listener.drainBrief()).containsExactly("sessionExpired lateGrace 1");
        assertThat(table.nextDeadline()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void aRealTimeoutStillFiresOnTimeAfterThousandsOfWaitsGrantedEarly() {
        table.openSession("holder", GRACE);
        table.lock("holder", "x", 0, 0);
        for (int i = 0; i < MANY; i++) {
            table.openSession(waiter(i), GRACE);
            table.lock(waiter(i), "x", WAIT, i);
        }
        String current = "holder";
        for (int i = 0; i < MANY; i++) {
            table.unlock(current, "x", MANY);
            current = waiter(i);
        }
        assertThat(listener.drain()).hasSize(MANY);
        assertThat(table.nextDeadline()).as("every wait was granted").isEqualTo(Long.MAX_VALUE);

        long now = 10_000;
        table.openSession("late", GRACE);
        table.lock("late", "x", 250, now);

        assertThat(table.nextDeadline()).isEqualTo(now + 250);
        table.advance(now + 249);
        assertThat(listener.drain()).isEmpty();
        table.advance(now + 250);
        assertThat(listener.drainBrief()).containsExactly("waitExpired late x");
        assertThat(table.holderOf("x")).contains(current);
    }

    @Test
    void thousandsOfResumesLeaveNoStaleGraceAndTheLastGraceStillRunsOut() {
        table.openSession("a", GRACE);
        table.lock("a", "x", 0, 0);
        long now = 0;
        for (int i = 0; i < MANY; i++) {
            table.disconnect("a", now);
            now += 10;
            assertThat(table.attach("a", GRACE).outcome()).isEqualTo(AttachResult.Outcome.RESUMED);
        }
        assertThat(table.nextDeadline()).isEqualTo(Long.MAX_VALUE);
        table.advance(now + GRACE);
        assertThat(listener.drain()).isEmpty();

        table.disconnect("a", now);

        assertThat(table.nextDeadline()).isEqualTo(now + GRACE);
        table.advance(now + GRACE - 1);
        assertThat(listener.drain()).isEmpty();
        table.advance(now + GRACE);
        assertThat(listener.drainBrief()).containsExactly("sessionExpired a 1");
    }

    @Test
    void deadlinesDueAtTheSameInstantFireInTheOrderTheyWereSetGraceFirst() {
        table.openSession("a", 1_000);
        table.openSession("b", GRACE);
        table.lock("a", "x", 0, 0);
        table.disconnect("a", 0);
        table.lock("b", "x", 500, 500);

        table.advance(1_000);

        assertThat(listener.drainBrief())
                .as("a's grace was set first: x goes to b before b's wait runs out")
                .containsExactly("granted b x", "sessionExpired a 1");
        assertThat(table.holderOf("x")).contains("b");
    }

    @Test
    void deadlinesDueAtTheSameInstantFireInTheOrderTheyWereSetWaitFirst() {
        table.openSession("a", 1_000);
        table.openSession("b", GRACE);
        table.lock("a", "x", 0, 0);
        table.lock("b", "x", 1_000, 0);
        table.disconnect("a", 0);

        table.advance(1_000);

        assertThat(listener.drainBrief())
                .as("b's wait was set first: it runs out before a's locks are released")
                .containsExactly("waitExpired b x", "sessionExpired a 1");
        assertThat(table.holderOf("x")).isEmpty();
    }

    @Test
    void oneLateAdvanceFiresEveryOverdueDeadlineInTimeOrder() {
        for (String id : new String[] {"a", "b", "c", "d"}) {
            table.openSession(id, GRACE);
        }
        table.setTimeout("d", 300);
        table.lock("a", "x", 0, 0);
        table.lock("d", "y", 0, 0);
        table.lock("b", "x", 700, 0);
        table.lock("c", "x", 200, 0);
        table.disconnect("d", 0);

        table.advance(1_000_000);

        assertThat(listener.drainBrief()).containsExactly("waitExpired c x", "sessionExpired d 1", "waitExpired b x");
        assertThat(table.nextDeadline()).isEqualTo(Long.MAX_VALUE);
    }

    private static String waiter(int i) {
        return "w" + i;
    }
}
