package io.deadbolt.server.lock;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.TreeSet;

/**
 * The locks, their FIFO wait queues and the sessions that own them, as a deterministic state machine.
 *
 * <p>Every input is a method call; every time-dependent input carries the current time in
 * milliseconds ({@code now}) from whatever clock the caller uses, so a test can drive it with a fake
 * clock and a replicated log can drive it with the leader's time. There is no thread, clock, timer or
 * I/O in here: the caller asks {@link #nextDeadline()} when to call {@link #advance(long)} next.
 * Answers that are due at once are return values; answers that come later (a queued lock granted or
 * timed out) go to the {@link Listener}, in the order the state changed.
 *
 * <p>Not thread-safe: the caller serialises access.
 *
 * <p>Rules kept here: a lock has at most one holder; waiters are served first come, first served; a
 * lock handed to a waiter belongs to the waiter's session alone; every grant's token is larger than
 * every earlier one (one counter for all names, so per-name order follows); a waiter that times out
 * or disconnects leaves its queue at once; a session's locks outlive its connection by the session's
 * grace period, and are then released to the waiters. The {@link Limits} bound what one client can
 * take: locks per session, and sessions in grace (over it, the grace that would end soonest ends now).
 */
public final class LockTable {

    /** Deferred answers to queued {@code lock} requests. Called synchronously, inside the table's call. */
    public interface Listener {
        /** A queued lock request of {@code sessionId} was granted. */
        void granted(String sessionId, String name, long token);

        /** A queued lock request of {@code sessionId} waited its full time without being granted. */
        void waitExpired(String sessionId, String name);

        /** A session's grace period ran out; its locks have been released (and perhaps handed on). */
        default void sessionExpired(String sessionId, int locksReleased) {
        }

        /**
         * A session's grace period was cut short because {@link Limits#maxSessionsInGrace()} sessions were
         * already in grace; its locks have been released. By default, just an expiry.
         */
        default void sessionEvicted(String sessionId, int locksReleased) {
            sessionExpired(sessionId, locksReleased);
        }

        /** A lock was released, by its holder or by its session's expiry, after being held this long. */
        default void lockReleased(long heldMillis) {
        }

        /** A queued lock request was answered, granted or timed out, after waiting this long. */
        default void waitEnded(long waitedMillis) {
        }
    }

    /**
     * What one client may take of the table.
     *
     * @param maxLocksPerSession a session holding this many locks is refused any other one
     * @param maxSessionsInGrace when one more session enters its grace period, the session in grace whose
     *                           grace would end soonest is expired at once
     */
    public record Limits(int maxLocksPerSession, int maxSessionsInGrace) {
        public static final Limits NONE = new Limits(Integer.MAX_VALUE, Integer.MAX_VALUE);

        public Limits {
            if (maxLocksPerSession < 1) {
                throw new IllegalArgumentException("maxLocksPerSession must be at least 1: " + maxLocksPerSession);
            }
            if (maxSessionsInGrace < 0) {
                throw new IllegalArgumentException("maxSessionsInGrace must not be negative: " + maxSessionsInGrace);
            }
        }
    }

    private final Listener listener;
    private final Map<String, Session> sessions = new HashMap<>();
    private final Map<String, HeldLock> locks = new HashMap<>();
    private final PriorityQueue<Deadline> deadlines = new PriorityQueue<>();
    private final Limits limits;
    /** The grace deadlines of the sessions in grace, soonest first: who goes when too many are in grace. */
    private final TreeSet<Deadline> graceEnds = new TreeSet<>();
    private int cancelledDeadlines;
    private long deadlineSeq;
    private long lastToken;

    private int connectedSessions;
    private int waiters;
    private long cmdLock;
    private long cmdUnlock;
    private long lockAcquired;
    private long lockAcquiredAfterWait;
    private long lockUnavailable;
    private long sessionsExpired;
    private long sessionsResumed;
    private long locksReleasedByExpiry;
    private long sessionsEvicted;
    private long lockOverLimit;

    /**
     * @param lastToken the token floor: every token this table grants is larger. A server seeds it so
     *                  that tokens keep rising across restarts.
     */
    public LockTable(long lastToken, Listener listener) {
        this(lastToken, listener, Limits.NONE);
    }

    public LockTable(long lastToken, Listener listener, Limits limits) {
        if (lastToken < 0) {
            throw new IllegalArgumentException("lastToken must not be negative: " + lastToken);
        }
        this.lastToken = lastToken;
        this.listener = listener;
        this.limits = limits;
    }

    // ---- sessions ---------------------------------------------------------------------------------

    /** Starts a connected session with a fresh id. Returns false, changing nothing, if the id is taken. */
    public boolean openSession(String id, long graceMillis) {
        if (sessions.containsKey(id)) {
            return false;
        }
        sessions.put(id, new Session(id, graceMillis));
        connectedSessions++;
        return true;
    }

    public boolean hasSession(String id) {
        return sessions.containsKey(id);
    }

    /**
     * Attaches a connection to session {@code id}: takes over a session in grace (cancelling its grace
     * timer), refuses one that another connection holds, or starts a new session with that id and
     * {@code graceMillisIfNew}.
     */
    public AttachResult attach(String id, long graceMillisIfNew) {
        Session session = sessions.get(id);
        if (session == null) {
            openSession(id, graceMillisIfNew);
            return AttachResult.CREATED;
        }
        if (session.connected) {
            return AttachResult.REFUSED;
        }
        graceEnds.remove(session.graceDeadline);
        cancel(session.graceDeadline);
        session.graceDeadline = null;
        session.connected = true;
        connectedSessions++;
        sessionsResumed++;
        return AttachResult.resumed(session.heldCount);
    }

    /**
     * Forgets a connected session that never held a lock and whose id nobody was told, so there is
     * nothing to keep for a grace period.
     */
    public void discard(String id) {
        Session session = connected(id);
        if (session.heldCount > 0 || session.waitingOn != null) {
            throw new IllegalStateException("session " + id + " holds or awaits locks");
        }
        sessions.remove(id);
        connectedSessions--;
    }

    /**
     * The session's connection closed: its pending wait is cancelled at once, and its locks stay held
     * for its grace period. A grace period of 0 releases them now.
     */
    public void disconnect(String id, long now) {
        Session session = connected(id);
        if (session.waitingOn != null) {
            dequeue(session);
        }
        session.connected = false;
        connectedSessions--;
        if (session.graceMillis == 0) {
            expire(session, now);
        } else {
            session.graceDeadline = schedule(saturatedAdd(now, session.graceMillis), session, Deadline.Kind.GRACE);
            graceEnds.add(session.graceDeadline);
            if (graceEnds.size() > limits.maxSessionsInGrace()) {
                evictSoonestInGrace(now);
            }
        }
    }

    /** Sets the session's grace period, used the next time its connection closes. */
    public void setTimeout(String id, long graceMillis) {
        if (graceMillis < 0) {
            throw new IllegalArgumentException("graceMillis must not be negative: " + graceMillis);
        }
        connected(id).graceMillis = graceMillis;
    }

    /** Names the session for operators ({@code set_name}); it keeps the name across resumes. */
    public void setLabel(String id, String label) {
        connected(id).label = label;
    }

    // ---- locks ------------------------------------------------------------------------------------

    /**
     * {@code lock NAME WAIT}. A session that already holds the lock gets its token again. Otherwise a
     * free lock is granted, and a held one is refused ({@code waitMillis == 0}) or queued behind the
     * earlier waiters until {@code now + waitMillis}. A session can await at most one lock at a time. A
     * session holding {@link Limits#maxLocksPerSession()} locks is refused any other, before it queues.
     */
    public LockResult lock(String id, String name, long waitMillis, long now) {
        Session session = connected(id);
        cmdLock++;
        HeldLock lock = locks.get(name);
        if (session.heldCount >= limits.maxLocksPerSession() && (lock == null || lock.holder != session)) {
            lockOverLimit++;
            return LockResult.TOO_MANY_LOCKS;
        }
        if (lock == null) {
            lock = new HeldLock(name);
            locks.put(name, lock);
            grant(lock, session, now);
            return LockResult.acquired(lock.token);
        }
        if (lock.holder == session) {
            lockAcquired++;
            return LockResult.acquired(lock.token);
        }
        if (waitMillis <= 0) {
            lockUnavailable++;
            return LockResult.UNAVAILABLE;
        }
        if (session.waitingOn != null) {
            throw new IllegalStateException("session " + id + " already awaits " + session.waitingOn.name);
        }
        if (lock.waiters == null) {
            lock.waiters = new LinkedHashSet<>();
        }
        lock.waiters.add(session);
        session.waitingOn = lock;
        session.waitingSince = now;
        session.waitDeadline = schedule(saturatedAdd(now, waitMillis), session, Deadline.Kind.WAIT);
        waiters++;
        return LockResult.QUEUED;
    }

    /** {@code unlock NAME}: releases the lock if this session holds it, handing it to the first waiter. */
    public UnlockResult unlock(String id, String name, long now) {
        Session session = connected(id);
        cmdUnlock++;
        HeldLock lock = locks.get(name);
        if (lock == null) {
            return UnlockResult.NOT_LOCKED;
        }
        if (lock.holder != session) {
            return UnlockResult.NOT_YOURS;
        }
        release(lock, now);
        return UnlockResult.UNLOCKED;
    }

    /** {@code unlock_all}: releases every lock the session holds; returns how many. */
    public int unlockAll(String id, long now) {
        return releaseAll(connected(id), now);
    }

    // ---- time -------------------------------------------------------------------------------------

    /** When {@link #advance(long)} has something to do next; {@link Long#MAX_VALUE} when nothing. */
    public long nextDeadline() {
        Deadline first;
        while ((first = deadlines.peek()) != null && first.cancelled) {
            deadlines.poll();
            cancelledDeadlines--;
        }
        return first == null ? Long.MAX_VALUE : first.at;
    }

    /** Fires every wait timeout and grace expiry due at or before {@code now}, oldest first. */
    public void advance(long now) {
        Deadline due;
        while ((due = deadlines.peek()) != null && due.at <= now) {
            deadlines.poll();
            if (due.cancelled) {
                cancelledDeadlines--;
                continue;
            }
            Session session = due.session;
            if (due.kind == Deadline.Kind.WAIT) {
                session.waitDeadline = null;
                long waited = now - session.waitingSince;
                String name = dequeue(session);
                lockUnavailable++;
                listener.waitEnded(Math.max(0, waited));
                listener.waitExpired(session.id, name);
            } else {
                graceEnds.remove(due);
                session.graceDeadline = null;
                expire(session, now);
            }
        }
    }

    // ---- what operators see -----------------------------------------------------------------------

    public int sessions() {
        return sessions.size();
    }

    public int connectedSessions() {
        return connectedSessions;
    }

    public int sessionsInGrace() {
        return sessions.size() - connectedSessions;
    }

    public int heldLocks() {
        return locks.size();
    }

    public int waiters() {
        return waiters;
    }

    /** The token of the last grant, or the floor if nothing was granted yet. */
    public long lastToken() {
        return lastToken;
    }

    public Limits limits() {
        return limits;
    }

    /** Sessions whose grace was cut short by {@link Limits#maxSessionsInGrace()}; also in sessionsExpired. */
    public long sessionsEvicted() {
        return sessionsEvicted;
    }

    /** {@code lock} requests refused because the session held {@link Limits#maxLocksPerSession()} locks. */
    public long lockOverLimit() {
        return lockOverLimit;
    }

    public Counters counters() {
        return new Counters(cmdLock, cmdUnlock, lockAcquired, lockAcquiredAfterWait, lockUnavailable,
                sessionsExpired, sessionsResumed, locksReleasedByExpiry);
    }

    /** Monotonic counters since the table was made. */
    public record Counters(long cmdLock, long cmdUnlock, long lockAcquired, long lockAcquiredAfterWait,
                           long lockUnavailable, long sessionsExpired, long sessionsResumed,
                           long locksReleasedByExpiry) {
    }

    /** The names the session holds, oldest grant first. For tests and introspection. */
    public List<String> heldBy(String id) {
        Session session = sessions.get(id);
        List<String> names = new ArrayList<>();
        if (session != null) {
            for (HeldLock lock = session.firstHeld; lock != null; lock = lock.nextHeld) {
                names.add(lock.name);
            }
        }
        return names;
    }

    /** The session holding {@code name}, if any. */
    public Optional<String> holderOf(String name) {
        HeldLock lock = locks.get(name);
        return lock == null ? Optional.empty() : Optional.of(lock.holder.id);
    }

    /** The sessions queued for {@code name}, first in line first. */
    public List<String> waitersOf(String name) {
        HeldLock lock = locks.get(name);
        List<String> ids = new ArrayList<>();
        if (lock != null && lock.waiters != null) {
            for (Session waiter : lock.waiters) {
                ids.add(waiter.id);
            }
        }
        return ids;
    }

    public boolean isConnected(String id) {
        Session session = sessions.get(id);
        return session != null && session.connected;
    }

    /**
     * A held lock as operators see it. {@code holderId} lets the server find the holder's connection; it
     * is the session's secret and must never be shown. {@code holderLabel} is null if none was set.
     */
    public record LockInfo(String name, long token, String holderId, String holderLabel, long grantedAt,
                           int waiters) {
    }

    /** Locks listed for an operator, and whether more matched than were listed. */
    public record Listing(List<LockInfo> locks, boolean truncated) {
    }

    /** {@code info NAME}: the lock if it is held. */
    public Optional<LockInfo> describe(String name) {
        HeldLock lock = locks.get(name);
        return lock == null ? Optional.empty() : Optional.of(info(lock));
    }

    /**
     * {@code locks PREFIX}: the held locks whose names start with {@code prefix}, the first {@code max} of
     * them in name order. Every held lock is looked at, but only {@code max} are kept, so the cost is one
     * pass over the table and the memory is bounded.
     */
    public Listing list(String prefix, int max) {
        if (max < 0) {
            throw new IllegalArgumentException("max must not be negative: " + max);
        }
        // The largest name kept is at the head, ready to give way to a smaller one.
        PriorityQueue<HeldLock> firstByName = new PriorityQueue<>(Math.min(max, locks.size()) + 1,
                (a, b) -> b.name.compareTo(a.name));
        boolean truncated = false;
        for (HeldLock lock : locks.values()) {
            if (!lock.name.startsWith(prefix)) {
                continue;
            }
            if (firstByName.size() < max) {
                firstByName.add(lock);
                continue;
            }
            truncated = true;
            if (max > 0 && lock.name.compareTo(firstByName.peek().name) < 0) {
                firstByName.poll();
                firstByName.add(lock);
            }
        }
        List<LockInfo> listed = new ArrayList<>(firstByName.size());
        for (HeldLock lock : firstByName) {
            listed.add(info(lock));
        }
        listed.sort(Comparator.comparing(LockInfo::name));
        return new Listing(listed, truncated);
    }

    private static LockInfo info(HeldLock lock) {
        return new LockInfo(lock.name, lock.token, lock.holder.id, lock.holder.label, lock.grantedAt,
                lock.waiters == null ? 0 : lock.waiters.size());
    }

    // ---- inside -----------------------------------------------------------------------------------

    private Session connected(String id) {
        Session session = sessions.get(id);
        if (session == null || !session.connected) {
            throw new IllegalStateException("no connected session " + id);
        }
        return session;
    }

    private void grant(HeldLock lock, Session session, long now) {
        lock.holder = session;
        lock.grantedAt = now;
        lastToken = Math.incrementExact(lastToken);
        lock.token = lastToken;
        session.link(lock);
        lockAcquired++;
    }

    /** Releases a held lock: the first waiter gets it, or it is gone. */
    private void release(HeldLock lock, long now) {
        lock.holder.unlink(lock);
        lock.holder = null;
        listener.lockReleased(Math.max(0, now - lock.grantedAt));
        Session next = firstWaiter(lock);
        if (next == null) {
            locks.remove(lock.name);
            return;
        }
        lock.waiters.remove(next);
        next.waitingOn = null;
        cancel(next.waitDeadline);
        next.waitDeadline = null;
        waiters--;
        grant(lock, next, now);
        lockAcquiredAfterWait++;
        listener.waitEnded(Math.max(0, now - next.waitingSince));
        listener.granted(next.id, lock.name, lock.token);
    }

    private static Session firstWaiter(HeldLock lock) {
        if (lock.waiters == null) {
            return null;
        }
        Iterator<Session> it = lock.waiters.iterator();
        return it.hasNext() ? it.next() : null;
    }

    private int releaseAll(Session session, long now) {
        int released = 0;
        while (session.firstHeld != null) {
            release(session.firstHeld, now);
            released++;
        }
        return released;
    }

    /** Takes the session out of the queue it waits in; returns the lock's name. */
    private String dequeue(Session session) {
        HeldLock lock = session.waitingOn;
        lock.waiters.remove(session);
        session.waitingOn = null;
        cancel(session.waitDeadline);
        session.waitDeadline = null;
        waiters--;
        return lock.name;
    }

    private void expire(Session session, long now) {
        int released = end(session, now);
        listener.sessionExpired(session.id, released);
    }

    /**
     * Cuts short the grace of the session whose grace would end soonest: of all the sessions in grace,
     * its early end takes the least time off what was promised.
     */
    private void evictSoonestInGrace(long now) {
        Deadline soonest = graceEnds.pollFirst();
        Session session = soonest.session;
        cancel(soonest);
        session.graceDeadline = null;
        sessionsEvicted++;
        int released = end(session, now);
        listener.sessionEvicted(session.id, released);
    }

    /** Ends a session: its locks are released to their waiters. Returns how many it held. */
    private int end(Session session, long now) {
        sessions.remove(session.id);
        int released = releaseAll(session, now);
        sessionsExpired++;
        locksReleasedByExpiry += released;
        return released;
    }

    private Deadline schedule(long at, Session session, Deadline.Kind kind) {
        Deadline deadline = new Deadline(at, deadlineSeq++, session, kind);
        deadlines.add(deadline);
        return deadline;
    }

    private void cancel(Deadline deadline) {
        if (deadline == null || deadline.cancelled) {
            return;
        }
        deadline.cancelled = true;
        cancelledDeadlines++;
        // Cancelled entries are skipped when they come due; purge them early only when they are the
        // bulk of the queue, so that long waits granted early cannot pile up.
        if (cancelledDeadlines > 1024 && cancelledDeadlines > deadlines.size() / 2) {
            deadlines.removeIf(d -> d.cancelled);
            cancelledDeadlines = 0;
        }
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
    }

    /** A session: the owner of locks, attached to at most one connection at a time. */
    private static final class Session {
        final String id;
        long graceMillis;
        /** The operator's name for the session ({@code set_name}), or null. */
        String label;
        boolean connected = true;
        /** Held locks as an intrusive list through {@link HeldLock#nextHeld}: no per-lock set entry. */
        HeldLock firstHeld;
        HeldLock lastHeld;
        int heldCount;
        HeldLock waitingOn;
        /** When the pending wait on {@link #waitingOn} began; meaningless while there is none. */
        long waitingSince;
        Deadline waitDeadline;
        Deadline graceDeadline;

        Session(String id, long graceMillis) {
            this.id = id;
            this.graceMillis = graceMillis;
        }

        void link(HeldLock lock) {
            lock.prevHeld = lastHeld;
            lock.nextHeld = null;
            if (lastHeld != null) {
                lastHeld.nextHeld = lock;
            } else {
                firstHeld = lock;
            }
            lastHeld = lock;
            heldCount++;
        }

        void unlink(HeldLock lock) {
            if (lock.prevHeld != null) {
                lock.prevHeld.nextHeld = lock.nextHeld;
            } else {
                firstHeld = lock.nextHeld;
            }
            if (lock.nextHeld != null) {
                lock.nextHeld.prevHeld = lock.prevHeld;
            } else {
                lastHeld = lock.prevHeld;
            }
            lock.prevHeld = null;
            lock.nextHeld = null;
            heldCount--;
        }
    }

    /** A lock that is held; it exists only while held. */
    private static final class HeldLock {
        final String name;
        Session holder;
        long token;
        /** When the current holder got it, in the caller's clock. */
        long grantedAt;
        HeldLock prevHeld;
        HeldLock nextHeld;
        /** Sessions waiting, in arrival order; made on first use, since most locks never queue. */
        LinkedHashSet<Session> waiters;

        HeldLock(String name) {
            this.name = name;
        }
    }

    /** A wait timeout or grace expiry. Cancelled ones stay queued and are skipped. */
    private static final class Deadline implements Comparable<Deadline> {
        enum Kind { WAIT, GRACE }

        final long at;
        final long seq;
        final Session session;
        final Kind kind;
        boolean cancelled;

        Deadline(long at, long seq, Session session, Kind kind) {
            this.at = at;
            this.seq = seq;
            this.session = session;
            this.kind = kind;
        }

        @Override
        public int compareTo(Deadline other) {
            int byTime = Long.compare(at, other.at);
            return byTime != 0 ? byTime : Long.compare(seq, other.seq);
        }
    }
}
