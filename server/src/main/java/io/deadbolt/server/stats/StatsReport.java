package io.deadbolt.server.stats;

import io.deadbolt.protocol.CommandType;
import io.deadbolt.protocol.Reply;
import io.deadbolt.server.LockService;
import io.deadbolt.server.Version;
import java.util.ArrayList;
import java.util.List;

/** Builds the {@code stats} reply: elock's keys, then memcached's general keys, then the lock keys. */
public final class StatsReport {
    private final LockService locks;
    private final ServerStats server;
    private final int threads;
    private final long pid = ProcessHandle.current().pid();

    public StatsReport(LockService locks, ServerStats server, int threads) {
        this.locks = locks;
        this.server = server;
        this.threads = threads;
    }

    public Reply.Stats build() {
        return new Reply.Stats(stats());
    }

    /** The keys and values of the reply, in its order; also served by the memcached-protocol listener. */
    public List<Reply.Stat> stats() {
        LockService.TableSnapshot table = locks.snapshot();
        ProcessUsage usage = ProcessUsage.now();
        List<Reply.Stat> stats = new ArrayList<>(32);
        // elock
        add(stats, "clients", table.connectedSessions());
        add(stats, "locks", table.heldLocks());
        add(stats, "monitoring", server.currentConnections());
        // memcached
        add(stats, "pid", pid);
        add(stats, "uptime", server.uptimeSeconds());
        add(stats, "time", System.currentTimeMillis() / 1000);
        stats.add(new Reply.Stat("version", Version.get()));
        stats.add(new Reply.Stat("rusage_user", ProcessUsage.seconds(usage.userMicros())));
        stats.add(new Reply.Stat("rusage_system", ProcessUsage.seconds(usage.systemMicros())));
        add(stats, "curr_connections", server.currentConnections());
        add(stats, "total_connections", server.totalConnections());
        add(stats, "threads", threads);
        add(stats, "bytes_read", server.bytesRead());
        add(stats, "bytes_written", server.bytesWritten());
        // locks
        add(stats, "sessions", table.sessions());
        add(stats, "sessions_in_grace", table.sessionsInGrace());
        add(stats, "waiters", table.waiters());
        add(stats, "cmd_lock", table.counters().cmdLock());
        add(stats, "cmd_unlock", table.counters().cmdUnlock());
        add(stats, "lock_acquired", table.counters().lockAcquired());
        add(stats, "lock_acquired_after_wait", table.counters().lockAcquiredAfterWait());
        add(stats, "lock_unavailable", table.counters().lockUnavailable());
        add(stats, "sessions_expired", table.counters().sessionsExpired());
        add(stats, "sessions_resumed", table.counters().sessionsResumed());
        add(stats, "locks_released_by_expiry", table.counters().locksReleasedByExpiry());
        // limits and authentication
        add(stats, "sessions_evicted", table.sessionsEvicted());
        add(stats, "lock_over_limit", table.lockOverLimit());
        add(stats, "rejected_connections", server.rejectedConnections());
        add(stats, "auth_cmds", server.commands(CommandType.AUTH));
        add(stats, "auth_errors", server.authErrors());
        return stats;
    }

    private static void add(List<Reply.Stat> stats, String name, long value) {
        stats.add(new Reply.Stat(name, Long.toString(value)));
    }
}
