package io.deadbolt.server.metrics;

import io.deadbolt.protocol.CommandType;
import io.deadbolt.server.LockService;
import io.deadbolt.server.LockTimings;
import io.deadbolt.server.Version;
import io.deadbolt.server.lock.LockTable;
import io.deadbolt.server.stats.ServerStats;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.Unit;
import java.io.IOException;
import java.io.OutputStream;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * The server's Prometheus metrics. Gauges and counters are callbacks that read the numbers the lock
 * table and the connection counters keep anyway, at scrape time, from one snapshot of the table per
 * scrape. The only work added to the lock path is counting durations into the two histograms'
 * buckets ({@link LockDurations}), fed with durations the table computes from the time it is given.
 * No label holds a lock name or a session id.
 */
public final class DeadboltMetrics {
    /** Text format 0.0.4, what every Prometheus version reads. */
    public static final String CONTENT_TYPE = PrometheusTextFormatWriter.CONTENT_TYPE;

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    private final LockService locks;
    private final LockDurations durations = new LockDurations();
    /** The table and the durations as of the scrape in progress; the callbacks read them. */
    private LockService.TableSnapshot table;
    private LockDurations.Copy timings;

    public DeadboltMetrics(LockService locks, ServerStats server) {
        this.locks = locks;
        gauge("deadbolt_locks_held", "Held locks, including those of sessions in their grace period.",
                LockService.TableSnapshot::heldLocks);
        gauge("deadbolt_waiters", "Lock requests waiting now.", LockService.TableSnapshot::waiters);
        GaugeWithCallback.builder()
                .name("deadbolt_sessions")
                .help("Sessions: with an open connection (connected) or in their grace period (grace).")
                .labelNames("state")
                .callback(callback -> {
                    callback.call(table.connectedSessions(), "connected");
                    callback.call(table.sessionsInGrace(), "grace");
                })
                .register(registry);
        GaugeWithCallback.builder()
                .name("deadbolt_connections")
                .help("Open connections on the lock protocol port.")
                .callback(callback -> callback.call(server.currentConnections()))
                .register(registry);
        CounterWithCallback.builder()
                .name("deadbolt_commands_total")
                .help("Well-formed requests on the lock protocol port, by command.")
                .labelNames("command")
                .callback(callback -> {
                    for (CommandType type : CommandType.values()) {
                        callback.call(commands(type, server), type.word());
                    }
                })
                .register(registry);
        counter("deadbolt_lock_acquired_total",
                "Grants, including a holder's repeated lock and grants after a wait.", LockTable.Counters::lockAcquired);
        counter("deadbolt_lock_acquired_after_wait_total", "Grants handed over to a waiter.",
                LockTable.Counters::lockAcquiredAfterWait);
        counter("deadbolt_lock_unavailable_total", "409 Unavailable replies, at once or after a wait.",
                LockTable.Counters::lockUnavailable);
        counter("deadbolt_sessions_expired_total", "Sessions whose grace period ran out.",
                LockTable.Counters::sessionsExpired);
        counter("deadbolt_sessions_resumed_total", "Sessions taken over with conn_id ID.",
                LockTable.Counters::sessionsResumed);
        counter("deadbolt_locks_released_by_expiry_total", "Locks released because their session expired.",
                LockTable.Counters::locksReleasedByExpiry);
        CounterWithCallback.builder()
                .name("deadbolt_connections_accepted_total")
                .help("Connections accepted on the lock protocol port.")
                .callback(callback -> callback.call(server.totalConnections()))
                .register(registry);
        Info.builder()
                .name("deadbolt_build_info")
                .help("The version of deadbolt that is running.")
                .labelNames("version")
                .register(registry)
                .setLabelValues(Version.get());
        histogram("deadbolt_lock_hold_seconds",
                "How long locks were held, from grant to release (unlock, unlock_all or expiry).",
                () -> timings.held());
        histogram("deadbolt_lock_wait_seconds",
                "How long lock requests that had to wait waited, until granted or refused.",
                () -> timings.waited());
        JvmMetrics.builder().register(registry);
    }

    /** Where the lock service reports hold and wait times; give it to {@link LockService#recordTimingsIn}. */
    public LockTimings timings() {
        return durations;
    }

    /** Writes every metric in the Prometheus text format. One scrape at a time: they share the snapshot. */
    public synchronized void scrape(OutputStream out) throws IOException {
        locks.underMonitor(() -> {
            table = locks.snapshot();
            timings = durations.copy();
        });
        writer.write(out, registry.scrape());
    }

    private long commands(CommandType type, ServerStats server) {
        // The table counts lock and unlock; the server counts the rest, which are rare.
        return switch (type) {
            case LOCK -> table.counters().cmdLock();
            case UNLOCK -> table.counters().cmdUnlock();
            default -> server.commands(type);
        };
    }

    private void gauge(String name, String help, ToDoubleFunction<LockService.TableSnapshot> value) {
        GaugeWithCallback.builder()
                .name(name)
                .help(help)
                .callback(callback -> callback.call(value.applyAsDouble(table)))
                .register(registry);
    }

    private void histogram(String name, String help, Supplier<LockDurations.Counts> counts) {
        registry.register(new Collector() {
            @Override
            public MetricSnapshot collect() {
                return HistogramSnapshot.builder()
                        .name(name)
                        .help(help)
                        .unit(Unit.SECONDS)
                        .dataPoint(counts.get().dataPoint())
                        .build();
            }

            @Override
            public String getPrometheusName() {
                return name;
            }
        });
    }

    private void counter(String name, String help, ToDoubleFunction<LockTable.Counters> value) {
        CounterWithCallback.builder()
                .name(name)
                .help(help)
                .callback(callback -> callback.call(value.applyAsDouble(table.counters())))
                .register(registry);
    }
}
