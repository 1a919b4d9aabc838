package io.deadbolt.server;

import io.deadbolt.protocol.Reply;
import io.deadbolt.server.lock.AttachResult;
import io.deadbolt.server.lock.LockResult;
import io.deadbolt.server.lock.LockTable;
import io.deadbolt.server.lock.UnlockResult;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The thread-safe front of the {@link LockTable}: serialises calls from all event loops, feeds in the
 * time, keeps the one timer that drives every wait timeout and grace expiry, and routes late answers
 * to the connection of the session they belong to. Every method is short and never blocks, so it is
 * safe on an event loop.
 */
public final class LockService implements LockTable.Listener {
    private static final Logger log = LoggerFactory.getLogger(LockService.class);

    private final LockTable table;
    private final LongSupplier clockMillis;
    private final EventExecutor timerExecutor;
    private final SessionIds ids = new SessionIds();
    private final long defaultGraceMillis;
    private final Map<String, SessionChannel> channels = new HashMap<>();
    private LockTimings timings = LockTimings.NONE;
    private ScheduledFuture<?> timer;
    private long timerAt = Long.MAX_VALUE;
    private boolean evictionLogged;

    /**
     * @param firstToken  the token floor; see {@link #tokenFloorFromWallClock()}
     * @param clockMillis a monotonic clock in milliseconds
     */
    public LockService(long firstToken, long defaultGraceMillis, LongSupplier clockMillis,
                       EventExecutor timerExecutor) {
        this(firstToken, defaultGraceMillis, clockMillis, timerExecutor, LockTable.Limits.NONE);
    }

    public LockService(long firstToken, long defaultGraceMillis, LongSupplier clockMillis,
                       EventExecutor timerExecutor, LockTable.Limits limits) {
        this.table = new LockTable(firstToken, this, limits);
        this.defaultGraceMillis = defaultGraceMillis;
        this.clockMillis = clockMillis;
        this.timerExecutor = timerExecutor;
    }

    /**
     * Tokens start above the wall clock in microseconds. Unless the server granted more than a million
     * locks a second on average over its whole previous life, or the clock was set back, every token of
     * this run is larger than every token of the runs before it, without any state on disk.
     */
    public static long tokenFloorFromWallClock() {
        return Math.multiplyExact(System.currentTimeMillis(), 1000L);
    }

    /** Starts a session with a fresh, unguessable id for a new connection. */
    public synchronized String open(SessionChannel channel) {
        String id;
        do {
            id = ids.next();
        } while (!table.openSession(id, defaultGraceMillis));
        channels.put(id, channel);
        return id;
    }

    /**
     * {@code conn_id ID} from a connection whose own session {@code ownId} is unused: on success the
     * connection now speaks for {@code id}, and its own session is forgotten.
     */
    public synchronized AttachResult attach(String ownId, String id, SessionChannel channel) {
        if (id.equals(ownId)) {
            return AttachResult.REFUSED;
        }
        AttachResult result = table.attach(id, defaultGraceMillis);
        if (result.outcome() != AttachResult.Outcome.REFUSED) {
            table.discard(ownId);
            channels.remove(ownId);
            channels.put(id, channel);
            rearm();
        }
        return result;
    }

    /** The connection closed. A session it never used is forgotten; any other one enters its grace. */
    public synchronized void disconnect(String id, boolean used) {
        channels.remove(id);
        if (used) {
            table.disconnect(id, clockMillis.getAsLong());
        } else {
            table.discard(id);
        }
        rearm();
    }

    public synchronized LockResult lock(String id, String name, long waitMillis) {
        LockResult result = table.lock(id, name, waitMillis, clockMillis.getAsLong());
        if (result.outcome() == LockResult.Outcome.QUEUED) {
            rearm();
        }
        return result;
    }

    // The clock is read before taking the monitor, to add nothing to the time it is held. A release
    // time a little behind another thread's grant time only shortens a reported hold, never below 0.
    public UnlockResult unlock(String id, String name) {
        long now = clockMillis.getAsLong();
        synchronized (this) {
            return table.unlock(id, name, now);
        }
    }

    public int unlockAll(String id) {
        long now = clockMillis.getAsLong();
        synchronized (this) {
            return table.unlockAll(id, now);
        }
    }

    public synchronized void setTimeout(String id, long graceMillis) {
        table.setTimeout(id, graceMillis);
    }

    /** {@code set_name LABEL}: names the session for operators. */
    public synchronized void setName(String id, String label) {
        table.setLabel(id, label);
    }

    /** {@code info NAME}: the lock as operators see it, if it is held. */
    public synchronized Optional<Reply.LockLine> describe(String name) {
        long now = clockMillis.getAsLong();
        return table.describe(name).map(info -> operatorView(info, now));
    }

    /**
     * {@code locks PREFIX}: the first {@code max} held locks by name whose names start with {@code prefix}.
     * Unlike the other methods it takes time in proportion to the number of held locks.
     */
    public synchronized Reply.Locks list(String prefix, int max) {
        long now = clockMillis.getAsLong();
        LockTable.Listing listing = table.list(prefix, max);
        List<Reply.LockLine> lines = new ArrayList<>(listing.locks().size());
        for (LockTable.LockInfo info : listing.locks()) {
            lines.add(operatorView(info, now));
        }
        return new Reply.Locks(lines, listing.truncated());
    }

    /**
     * Where lock hold and wait times go from now on. Set before serving; the durations come from the
     * table, in the time this service feeds it, so no clock is read for them.
     */
    public synchronized void recordTimingsIn(LockTimings timings) {
        this.timings = timings;
    }

    /**
     * Runs {@code reader} with the monitor held: it sees the table, and whatever {@link LockTimings}
     * recorded, at one instant between two table calls.
     */
    public synchronized void underMonitor(Runnable reader) {
        reader.run();
    }

    /** The session's label and its connection's address stand for it: its id is its secret. */
    private Reply.LockLine operatorView(LockTable.LockInfo info, long now) {
        SessionChannel channel = channels.get(info.holderId());
        String peer = channel == null ? null : channel.peer();
        return new Reply.LockLine(info.name(), info.token(),
                info.holderLabel() == null ? Reply.LockLine.NONE : info.holderLabel(),
                peer == null ? Reply.LockLine.NONE : peer,
                Math.max(0, now - info.grantedAt()), info.waiters());
    }

    /** A consistent view of the table's gauges and counters. */
    public synchronized TableSnapshot snapshot() {
        return new TableSnapshot(table.sessions(), table.connectedSessions(), table.sessionsInGrace(),
                table.heldLocks(), table.waiters(), table.counters(), table.sessionsEvicted(),
                table.lockOverLimit());
    }

    /** The table's numbers at one instant. */
    public record TableSnapshot(int sessions, int connectedSessions, int sessionsInGrace, int heldLocks,
                                int waiters, LockTable.Counters counters, long sessionsEvicted,
                                long lockOverLimit) {
    }

    /** The limits the table holds each session to; immutable, so no lock is needed. */
    public LockTable.Limits limits() {
        return table.limits();
    }

    @Override
    public void granted(String sessionId, String name, long token) {
        SessionChannel channel = channels.get(sessionId);
        if (channel != null) {
            channel.lockGranted(name, token);
        }
    }

    @Override
    public void waitExpired(String sessionId, String name) {
        SessionChannel channel = channels.get(sessionId);
        if (channel != null) {
            channel.waitExpired(name);
        }
    }

    @Override
    public void lockReleased(long heldMillis) {
        timings.held(heldMillis);
    }

    @Override
    public void waitEnded(long waitedMillis) {
        timings.waited(waitedMillis);
    }

    @Override
    public void sessionExpired(String sessionId, int locksReleased) {
        log.debug("session expired after its grace period, {} lock(s) released", locksReleased);
    }

    /** Once at warn, so the operator learns that the limit bites; then at debug, as it may bite often. */
    @Override
    public void sessionEvicted(String sessionId, int locksReleased) {
        if (!evictionLogged) {
            evictionLogged = true;
            log.warn("reached the limit of {} sessions in their grace period (--max-sessions-in-grace): the "
                    + "one whose grace would end soonest was ended early, {} lock(s) released; sessions_evicted "
                    + "in stats counts such ends", table.limits().maxSessionsInGrace(), locksReleased);
        } else {
            log.debug("session ended early to make room in grace, {} lock(s) released", locksReleased);
        }
    }

    /** Keeps one scheduled task, at the table's earliest deadline. Called with the monitor held. */
    private void rearm() {
        long next = table.nextDeadline();
        if (next >= timerAt) {
            return;
        }
        if (timer != null) {
            timer.cancel(false);
        }
        long delay = Math.max(0, next - clockMillis.getAsLong());
        try {
            timer = timerExecutor.schedule(this::onTimer, delay, TimeUnit.MILLISECONDS);
            timerAt = next;
        } catch (RejectedExecutionException stopping) {
            // The server is stopping: connections closed by its shutdown still report their disconnect
            // after the timer's event loop has ended, and no deadline can matter any more.
            timer = null;
            timerAt = Long.MAX_VALUE;
        }
    }

    private synchronized void onTimer() {
        timer = null;
        timerAt = Long.MAX_VALUE;
        table.advance(clockMillis.getAsLong());
        rearm();
    }
}
