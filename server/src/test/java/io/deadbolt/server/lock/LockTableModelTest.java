package io.deadbolt.server.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Drives the {@link LockTable} with a long seeded random mix of every input and checks it, after every
 * step, against a shadow model kept by this test: who holds what, the FIFO queues, the deadlines and
 * the counters. Late answers are checked as they arrive: a grant must go to the first waiter in the
 * shadow queue at that moment, a wait or a session may only expire once its deadline has come, and
 * every token must be larger than all earlier ones.
 *
 * <p>On failure the message names the seed, the step and the last steps taken, so the run can be
 * replayed in a debugger.
 */
class LockTableModelTest {
    private static final long SEED = 20_240_611L;
    private static final int SESSION_COUNT = 20;
    private static final int NAME_COUNT = 5;
    private static final int STEPS = 50_000;
    private static final long TOKEN_FLOOR = 7_000;
    private static final long MAX_WAIT = 3_000;
    private static final long MAX_GRACE = 3_000;

    private final Random random = new Random(SEED);
    private final RecordingListener listener = new RecordingListener();
    private final LockTable table = new LockTable(TOKEN_FLOOR, listener);
    private final List<String> ids = new ArrayList<>();
    private final List<String> names = new ArrayList<>();

    // ---- the shadow model ----
    private final Map<String, ShadowSession> sessions = new HashMap<>();
    private final Map<String, ShadowLock> locks = new HashMap<>();
    private long now = 1_000;
    private long maxToken = TOKEN_FLOOR;
    private long cmdLock;
    private long cmdUnlock;
    private long lockAcquired;
    private long lockAcquiredAfterWait;
    private long lockUnavailable;
    private long sessionsExpired;
    private long sessionsResumed;
    private long locksReleasedByExpiry;
    /** Beyond the table's counters: proof that the run reached the interesting paths. */
    private long waitsExpired;
    private long handedOnAtExpiry;
    private long grantsAheadOfOtherWaiters;
    private long resumeRacesAtOrPastDeadline;

    // ---- what the current step may do, for checking the late answers it produces ----
    /** Sessions whose every lock this step releases (unlock_all, grace expiry), with what they handed on. */
    private final Map<String, Integer> releasingAll = new HashMap<>();
    /** Sessions whose grace may run out in this step. */
    private final Set<String> mayExpire = new HashSet<>();
    /** Names a single {@code unlock} freed in this step. */
    private final Set<String> freedByUnlock = new HashSet<>();
    private boolean advancing;
    private long lastFiredAt;

    private final ArrayDeque<String> recentSteps = new ArrayDeque<>();

    private static final class ShadowSession {
        final String id;
        boolean connected = true;
        long grace;
        long graceDeadline;
        String waitingOn;
        long waitDeadline;
        final LinkedHashSet<String> held = new LinkedHashSet<>();

        ShadowSession(String id, long grace) {
            this.id = id;
            this.grace = grace;
        }
    }

    private static final class ShadowLock {
        String holder;
        long token;
        long grantedAt;
        final ArrayDeque<String> queue = new ArrayDeque<>();
    }

    @Test
    void aLongRandomRunKeepsEveryInvariantAndMatchesTheShadowModel() {
        for (int i = 0; i < SESSION_COUNT; i++) {
            ids.add(String.format("s%02d", i));
        }
        for (int i = 0; i < NAME_COUNT; i++) {
            names.add("n" + i);
            locks.put("n" + i, new ShadowLock());
        }

        for (int step = 0; step < STEPS; step++) {
            try {
                step();
                checkInvariants();
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError("seed " + SEED + ", step " + step + ", now " + now + "; last steps, newest last:\n  "
                        + String.join("\n  ", recentSteps), e);
            }
        }

        // A run that never reached these paths would prove little.
        assertThat(lockAcquiredAfterWait).as("grants after a wait").isGreaterThan(200);
        assertThat(grantsAheadOfOtherWaiters).as("grants with others still in line").isGreaterThan(50);
        assertThat(handedOnAtExpiry).as("locks handed on when a grace ran out").isGreaterThan(50);
        assertThat(waitsExpired).as("waits that ran out").isGreaterThan(500);
        assertThat(sessionsExpired).as("sessions expired").isGreaterThan(500);
        assertThat(sessionsResumed).as("sessions resumed").isGreaterThan(500);
        assertThat(resumeRacesAtOrPastDeadline).as("resumes at or after the deadline, before advance")
                .isGreaterThan(5);
    }

    // ---- steps ----------------------------------------------------------------------------------

    private void step() {
        releasingAll.clear();
        mayExpire.clear();
        freedByUnlock.clear();
        advancing = false;
        lastFiredAt = Long.MIN_VALUE;

        int roll = random.nextInt(100);
        if (roll < 12) {
            advanceStep();
        } else if (roll < 14) {
            // The clock moves on but the timer has not fired yet: commands see overdue deadlines.
            now += random.nextInt(500);
            note("clock now " + now);
        } else {
            sessionStep(ids.get(random.nextInt(ids.size())));
        }
        assertThat(listener.drain()).as("late answers left unchecked").isEmpty();
    }

    private void advanceStep() {
        long next = table.nextDeadline();
        int roll = random.nextInt(100);
        long target;
        if (roll < 30 && next != Long.MAX_VALUE) {
            target = Math.max(now, next);
        } else if (roll < 40 && next != Long.MAX_VALUE && next - 1 > now) {
            target = next - 1;
        } else if (roll < 75) {
            target = now + random.nextInt(200);
        } else if (roll < 95) {
            target = now + random.nextInt((int) MAX_WAIT);
        } else {
            target = now;
        }
        now = target;
        note("advance " + now);
        advancing = true;
        for (ShadowSession session : sessions.values()) {
            if (!session.connected && session.graceDeadline <= now) {
                mayExpire.add(session.id);
                releasingAll.put(session.id, 0);
            }
        }
        table.advance(now);
        processLateAnswers();
        assertThat(mayExpire).as("sessions whose grace ran out but did not expire").isEmpty();
        for (ShadowSession session : sessions.values()) {
            if (session.waitingOn != null) {
                assertThat(session.waitDeadline).as("overdue wait of %s", session.id).isGreaterThan(now);
            }
        }
    }

    private void sessionStep(String id) {
        ShadowSession session = sessions.get(id);
        if (session == null) {
            startSession(id);
        } else if (!session.connected) {
            inGraceStep(session);
        } else if (session.waitingOn != null) {
            waitingStep(session);
        } else {
            connectedStep(session);
        }
    }

    private void startSession(String id) {
        long grace = randomGrace();
        if (random.nextBoolean()) {
            note("openSession " + id + " grace " + grace);
            assertThat(table.openSession(id, grace)).isTrue();
        } else {
            note("attach " + id + " (unknown) grace " + grace);
            assertThat(table.attach(id, grace)).isEqualTo(AttachResult.CREATED);
        }
        sessions.put(id, new ShadowSession(id, grace));
    }

    private void inGraceStep(ShadowSession session) {
        if (random.nextInt(100) < 80) {
            note("attach " + session.id + " (in grace until " + session.graceDeadline + ")");
            if (session.graceDeadline <= now) {
                resumeRacesAtOrPastDeadline++;
            }
            assertThat(table.attach(session.id, randomGrace())).isEqualTo(AttachResult.resumed(session.held.size()));
            session.connected = true;
            sessionsResumed++;
        } else {
            refusedOpen(session);
        }
    }

    /** The protocol lets a waiting connection do nothing but close; the table copes with more. */
    private void waitingStep(ShadowSession session) {
        int roll = random.nextInt(100);
        if (roll < 40) {
            disconnect(session);
        } else if (roll < 55) {
            unlock(session, randomName());
        } else if (roll < 65) {
            unlockAll(session);
        } else if (roll < 75) {
            lock(session, randomName(), 0);
        } else if (roll < 85) {
            setTimeout(session);
        } else if (roll < 92) {
            refusedAttach(session);
        } else {
            refusedOpen(session);
        }
    }

    private void connectedStep(ShadowSession session) {
        int roll = random.nextInt(100);
        if (roll < 45) {
            long wait = random.nextInt(100) < 35 ? 0 : 1 + random.nextInt((int) MAX_WAIT);
            lock(session, randomName(), wait);
        } else if (roll < 65) {
            unlock(session, randomName());
        } else if (roll < 70) {
            unlockAll(session);
        } else if (roll < 82) {
            disconnect(session);
        } else if (roll < 90) {
            setTimeout(session);
        } else if (roll < 94) {
            refusedAttach(session);
        } else if (roll < 96) {
            refusedOpen(session);
        } else {
            discard(session);
        }
    }

    // ---- commands, each with its expected answer ------------------------------------------------

    private void lock(ShadowSession session, String name, long wait) {
        note("lock " + session.id + " " + name + " wait " + wait);
        LockResult result = table.lock(session.id, name, wait, now);
        cmdLock++;
        ShadowLock lock = locks.get(name);
        if (lock.holder == null) {
            assertThat(result.outcome()).isEqualTo(LockResult.Outcome.ACQUIRED);
            acceptToken(result.token());
            lock.holder = session.id;
            lock.token = result.token();
            lock.grantedAt = now;
            session.held.add(name);
            lockAcquired++;
        } else if (lock.holder.equals(session.id)) {
            assertThat(result).isEqualTo(LockResult.acquired(lock.token));
            lockAcquired++;
        } else if (wait == 0) {
            assertThat(result.outcome()).isEqualTo(LockResult.Outcome.UNAVAILABLE);
            lockUnavailable++;
        } else {
            assertThat(result.outcome()).isEqualTo(LockResult.Outcome.QUEUED);
            lock.queue.addLast(session.id);
            session.waitingOn = name;
            session.waitDeadline = now + wait;
        }
        processLateAnswers();
    }

    private void unlock(ShadowSession session, String name) {
        note("unlock " + session.id + " " + name);
        UnlockResult result = table.unlock(session.id, name, now);
        cmdUnlock++;
        ShadowLock lock = locks.get(name);
        if (lock.holder == null) {
            assertThat(result).isEqualTo(UnlockResult.NOT_LOCKED);
        } else if (!lock.holder.equals(session.id)) {
            assertThat(result).isEqualTo(UnlockResult.NOT_YOURS);
        } else {
            assertThat(result).isEqualTo(UnlockResult.UNLOCKED);
            lock.holder = null;
            session.held.remove(name);
            freedByUnlock.add(name);
        }
        processLateAnswers();
    }

    private void unlockAll(ShadowSession session) {
        note("unlockAll " + session.id + " holding " + session.held);
        releasingAll.put(session.id, 0);
        int released = table.unlockAll(session.id, now);
        processLateAnswers();
        int handedOn = releasingAll.remove(session.id);
        assertThat(released).isEqualTo(handedOn + session.held.size());
        freeRemaining(session);
    }

    private void disconnect(ShadowSession session) {
        note("disconnect " + session.id + " grace " + session.grace + (session.waitingOn == null ? ""
                : " waiting on " + session.waitingOn));
        if (session.grace == 0) {
            mayExpire.add(session.id);
            releasingAll.put(session.id, 0);
        }
        table.disconnect(session.id, now);
        if (session.waitingOn != null) {
            assertThat(locks.get(session.waitingOn).queue.remove(session.id)).isTrue();
            session.waitingOn = null;
        }
        session.connected = false;
        session.graceDeadline = now + session.grace;
        processLateAnswers();
        assertThat(mayExpire).as("a session with grace 0 must expire at disconnect").isEmpty();
    }

    private void setTimeout(ShadowSession session) {
        if (random.nextInt(10) == 0) {
            note("setTimeout " + session.id + " -1");
            assertThatThrownBy(() -> table.setTimeout(session.id, -1)).isInstanceOf(IllegalArgumentException.class);
            return;
        }
        long grace = randomGrace();
        note("setTimeout " + session.id + " " + grace);
        table.setTimeout(session.id, grace);
        session.grace = grace;
    }

    private void refusedAttach(ShadowSession session) {
        note("attach " + session.id + " (connected)");
        assertThat(table.attach(session.id, randomGrace())).isEqualTo(AttachResult.REFUSED);
    }

    private void refusedOpen(ShadowSession session) {
        note("openSession " + session.id + " (in use)");
        assertThat(table.openSession(session.id, randomGrace())).isFalse();
    }

    private void discard(ShadowSession session) {
        note("discard " + session.id + " holding " + session.held);
        if (session.held.isEmpty()) {
            table.discard(session.id);
            sessions.remove(session.id);
        } else {
            assertThatThrownBy(() -> table.discard(session.id)).isInstanceOf(IllegalStateException.class);
        }
    }

    // ---- late answers ---------------------------------------------------------------------------

    private void processLateAnswers() {
        for (RecordingListener.Event event : listener.drain()) {
            note("  -> " + event);
            if (event instanceof RecordingListener.Granted) {
                onGranted((RecordingListener.Granted) event);
            } else if (event instanceof RecordingListener.WaitExpired) {
                onWaitExpired((RecordingListener.WaitExpired) event);
            } else {
                onSessionExpired((RecordingListener.SessionExpired) event);
            }
        }
    }

    private void onGranted(RecordingListener.Granted grant) {
        ShadowLock lock = locks.get(grant.name());
        assertThat(lock.queue.peekFirst()).as("a grant of %s goes to the first in line", grant.name())
                .isEqualTo(grant.session());
        ShadowSession to = sessions.get(grant.session());
        String from = lock.holder;
        if (from == null) {
            assertThat(freedByUnlock).as("a grant of a lock nobody released").contains(grant.name());
            freedByUnlock.remove(grant.name());
        } else {
            assertThat(releasingAll).as("a grant of a lock its holder %s still has", from).containsKey(from);
            ShadowSession previous = sessions.get(from);
            assertReleasedInGrantOrder(previous, grant.name());
            previous.held.remove(grant.name());
            releasingAll.merge(from, 1, Integer::sum);
            if (mayExpire.contains(from)) {
                handedOnAtExpiry++;
                if (advancing) {
                    fired(previous.graceDeadline);
                    assertThat(to.waitDeadline).as("the waiter's own timeout came first")
                            .isGreaterThanOrEqualTo(previous.graceDeadline);
                }
            }
        }
        acceptToken(grant.token());
        lock.queue.removeFirst();
        if (!lock.queue.isEmpty()) {
            grantsAheadOfOtherWaiters++;
        }
        lock.holder = to.id;
        lock.token = grant.token();
        lock.grantedAt = now;
        to.waitingOn = null;
        to.held.add(grant.name());
        lockAcquired++;
        lockAcquiredAfterWait++;
    }

    private void onWaitExpired(RecordingListener.WaitExpired expiry) {
        assertThat(advancing).as("a wait expires only in advance").isTrue();
        ShadowSession session = sessions.get(expiry.session());
        assertThat(session.waitingOn).isEqualTo(expiry.name());
        assertThat(session.waitDeadline).as("an expired wait's deadline").isLessThanOrEqualTo(now);
        fired(session.waitDeadline);
        assertThat(locks.get(expiry.name()).queue.remove(session.id)).isTrue();
        session.waitingOn = null;
        lockUnavailable++;
        waitsExpired++;
    }

    private void onSessionExpired(RecordingListener.SessionExpired expiry) {
        String id = expiry.session();
        assertThat(mayExpire).as("a session expires only when its grace has run out").contains(id);
        ShadowSession session = sessions.get(id);
        if (advancing) {
            fired(session.graceDeadline);
        }
        int handedOn = releasingAll.remove(id);
        assertThat(expiry.locksReleased()).isEqualTo(handedOn + session.held.size());
        freeRemaining(session);
        mayExpire.remove(id);
        sessions.remove(id);
        sessionsExpired++;
        locksReleasedByExpiry += expiry.locksReleased();
    }

    /** A session's locks are released oldest grant first, so the ones before this grant had no waiters. */
    private void assertReleasedInGrantOrder(ShadowSession previous, String granted) {
        for (Iterator<String> it = previous.held.iterator(); it.hasNext(); ) {
            String name = it.next();
            if (name.equals(granted)) {
                return;
            }
            assertThat(locks.get(name).queue).as("%s, released before %s, had no waiter", name, granted).isEmpty();
        }
    }

    /** The session's locks that nobody waited for are simply free now. */
    private void freeRemaining(ShadowSession session) {
        for (String name : session.held) {
            ShadowLock lock = locks.get(name);
            assertThat(lock.queue).as("waiters of %s, released without a hand-over", name).isEmpty();
            lock.holder = null;
        }
        session.held.clear();
    }

    /** Deadlines fire in time order. */
    private void fired(long deadline) {
        assertThat(deadline).as("deadline fired").isLessThanOrEqualTo(now).isGreaterThanOrEqualTo(lastFiredAt);
        lastFiredAt = deadline;
    }

    private void acceptToken(long token) {
        assertThat(token).as("a token larger than every earlier one").isGreaterThan(maxToken);
        maxToken = token;
    }

    // ---- invariants -----------------------------------------------------------------------------

    /** What the table shows through its public methods, for the names and ids this run uses. */
    private record TableView(Map<String, String> holders, Map<String, List<String>> queues,
                             Map<String, List<String>> heldBy, Set<String> connected, Gauges gauges,
                             long nextDeadline, long lastToken, LockTable.Counters counters) {
    }

    private TableView observe() {
        Map<String, String> holders = new HashMap<>();
        Map<String, List<String>> queues = new HashMap<>();
        for (String name : names) {
            table.holderOf(name).ifPresent(holder -> holders.put(name, holder));
            List<String> waiters = table.waitersOf(name);
            if (!waiters.isEmpty()) {
                queues.put(name, waiters);
            }
        }
        Map<String, List<String>> heldBy = new HashMap<>();
        Set<String> connected = new HashSet<>();
        for (String id : ids) {
            if (table.hasSession(id)) {
                heldBy.put(id, table.heldBy(id));
            } else if (!table.heldBy(id).isEmpty()) {
                fail("%s is gone but holds %s", id, table.heldBy(id));
            }
            if (table.isConnected(id)) {
                connected.add(id);
            }
        }
        return new TableView(holders, queues, heldBy, connected, Gauges.of(table), table.nextDeadline(),
                table.lastToken(), table.counters());
    }

    private TableView expected() {
        Map<String, String> holders = new HashMap<>();
        Map<String, List<String>> queues = new HashMap<>();
        int waiting = 0;
        for (String name : names) {
            ShadowLock lock = locks.get(name);
            if (lock.holder != null) {
                holders.put(name, lock.holder);
            }
            if (!lock.queue.isEmpty()) {
                queues.put(name, List.copyOf(lock.queue));
                waiting += lock.queue.size();
            }
        }
        Map<String, List<String>> heldBy = new HashMap<>();
        Set<String> connected = new HashSet<>();
        long nextDeadline = Long.MAX_VALUE;
        for (ShadowSession session : sessions.values()) {
            heldBy.put(session.id, List.copyOf(session.held));
            if (session.connected) {
                connected.add(session.id);
            } else {
                nextDeadline = Math.min(nextDeadline, session.graceDeadline);
            }
            if (session.waitingOn != null) {
                nextDeadline = Math.min(nextDeadline, session.waitDeadline);
            }
        }
        Gauges gauges = new Gauges(sessions.size(), connected.size(), sessions.size() - connected.size(),
                holders.size(), waiting);
        return new TableView(holders, queues, heldBy, connected, gauges, nextDeadline, maxToken,
                new LockTable.Counters(cmdLock, cmdUnlock, lockAcquired, lockAcquiredAfterWait, lockUnavailable,
                        sessionsExpired, sessionsResumed, locksReleasedByExpiry));
    }

    private void checkInvariants() {
        TableView view = observe();
        checkConsistent(view);
        assertThat(view).as("the table against the shadow model").isEqualTo(expected());
        checkIntrospection();
    }

    /** {@code info} and {@code locks}: every held lock's holder, token, grant time and waiters, as modelled. */
    private void checkIntrospection() {
        List<LockTable.LockInfo> held = new ArrayList<>();
        for (String name : names) {
            ShadowLock lock = locks.get(name);
            if (lock.holder == null) {
                assertThat(table.describe(name)).as("info %s", name).isEmpty();
                continue;
            }
            LockTable.LockInfo expected = new LockTable.LockInfo(name, lock.token, lock.holder, null, lock.grantedAt,
                    lock.queue.size());
            assertThat(table.describe(name)).as("info %s", name).contains(expected);
            held.add(expected);
        }
        held.sort(Comparator.comparing(LockTable.LockInfo::name));
        assertThat(table.list("", names.size())).as("locks").isEqualTo(new LockTable.Listing(held, false));
        // The durations have their own tests; here they only must not pile up over the run.
        listener.drainTimings();
    }

    /** Rules the table's answers must obey among themselves, whatever the shadow model says. */
    private static void checkConsistent(TableView view) {
        Gauges gauges = view.gauges();
        check(gauges.connected() + gauges.inGrace() == gauges.sessions(), "connected + in grace != sessions: %s", gauges);
        check(gauges.sessions() == view.heldBy().size(), "sessions() %s, live sessions %s", gauges, view.heldBy().keySet());
        check(gauges.heldLocks() == view.holders().size(), "heldLocks() %s, holders %s", gauges, view.holders());
        int listed = 0;
        for (Map.Entry<String, List<String>> entry : view.heldBy().entrySet()) {
            for (String name : entry.getValue()) {
                check(entry.getKey().equals(view.holders().get(name)), "%s lists %s, held by %s", entry.getKey(), name,
                        view.holders().get(name));
                listed++;
            }
        }
        check(listed == view.holders().size(), "held locks %s, listed by sessions %s", view.holders(), view.heldBy());
        for (Map.Entry<String, String> entry : view.holders().entrySet()) {
            check(view.heldBy().containsKey(entry.getValue()), "holder %s of %s is no live session", entry.getValue(),
                    entry.getKey());
        }
        int waiting = 0;
        Set<String> waiters = new HashSet<>();
        for (Map.Entry<String, List<String>> entry : view.queues().entrySet()) {
            String name = entry.getKey();
            String holder = view.holders().get(name);
            check(holder != null, "%s is free but has waiters %s", name, entry.getValue());
            check(!entry.getValue().contains(holder), "holder %s also waits for %s", holder, name);
            for (String waiter : entry.getValue()) {
                check(view.connected().contains(waiter), "waiter %s of %s has no connection", waiter, name);
                check(waiters.add(waiter), "%s waits twice (last for %s)", waiter, name);
            }
            waiting += entry.getValue().size();
        }
        check(gauges.waiters() == waiting, "waiters() %s, queues %s", gauges, view.queues());
    }

    private static void check(boolean holds, String rule, Object... args) {
        if (!holds) {
            fail(rule, args);
        }
    }
    // ---- helpers --------------------------------------------------------------------------------

    private long randomGrace() {
        return random.nextInt(5) == 0 ? 0 : 1 + random.nextInt((int) MAX_GRACE);
    }

    private String randomName() {
        return names.get(random.nextInt(names.size()));
    }

    private void note(String step) {
        if (recentSteps.size() == 30) {
            recentSteps.removeFirst();
        }
        recentSteps.addLast(step);
    }
}
