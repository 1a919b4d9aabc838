package io.deadbolt.bench.jmh;

import io.deadbolt.server.lock.LockResult;
import io.deadbolt.server.lock.LockTable;
import io.deadbolt.server.lock.UnlockResult;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The lock table alone, without network or codec: what one lock operation costs in the state machine.
 * {@code java -jar bench/target/deadbolt-bench-*-all.jar jmh -prof gc LockTableBenchmark}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class LockTableBenchmark {
    private static final int SESSIONS = 1_000;
    private static final int NAMES = 4_096;

    private LockTable table;
    private String[] sessions;
    private String[] names;
    private int next;
    private long now;
    private Blackhole blackhole;

    @Setup
    public void setUp(Blackhole blackhole) {
        this.blackhole = blackhole;
        table = new LockTable(0, new LockTable.Listener() {
            @Override
            public void granted(String sessionId, String name, long token) {
                LockTableBenchmark.this.blackhole.consume(token);
            }

            @Override
            public void waitExpired(String sessionId, String name) {
                LockTableBenchmark.this.blackhole.consume(name);
            }
        });
        sessions = new String[SESSIONS];
        for (int i = 0; i < SESSIONS; i++) {
            sessions[i] = String.format("%032x", i * 7919L);
            table.openSession(sessions[i], 30_000);
        }
        names = new String[NAMES];
        for (int i = 0; i < NAMES; i++) {
            names[i] = "resource-" + i;
        }
        // The hand-off benchmark's lock starts held by session 0.
        table.lock(sessions[0], "shared", 0, now);
    }

    /** Take a free lock and release it: the uncontended request pair. */
    @Benchmark
    @OperationsPerInvocation(2)
    public UnlockResult lockUnlock() {
        int i = next++ & (NAMES - 1);
        String session = sessions[i % SESSIONS];
        String name = names[i];
        LockResult result = table.lock(session, name, 0, ++now);
        blackhole.consume(result);
        return table.unlock(session, name, now);
    }

    /** Two sessions pass one lock back and forth through its wait queue: two hand-offs per call. */
    @Benchmark
    @OperationsPerInvocation(2)
    public UnlockResult handOff() {
        String a = sessions[0];
        String b = sessions[1];
        blackhole.consume(table.lock(b, "shared", 10_000, ++now));
        blackhole.consume(table.unlock(a, "shared", now));
        blackhole.consume(table.lock(a, "shared", 10_000, now));
        return table.unlock(b, "shared", now);
    }

    /** A connection that opens and closes without locking anything. */
    @Benchmark
    public void openAndDiscardSession() {
        String id = names[next++ & (NAMES - 1)];
        table.openSession(id, 30_000);
        table.discard(id);
    }
}
