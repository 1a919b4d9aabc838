package io.deadbolt.bench.load;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import java.util.IdentityHashMap;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.SingleWriterRecorder;

/** What the connections of one run share: one latency recorder per event loop, errors, grant log. */
final class RunContext {
    /** Round trips are kept from 1 µs to 60 s at three significant digits. */
    static final long LOWEST_NANOS = 1_000;
    static final long HIGHEST_NANOS = 60_000_000_000L;

    private final Map<EventExecutor, SingleWriterRecorder> recorders = new IdentityHashMap<>();
    private final ErrorLog errors = new ErrorLog();
    private final GrantLog grants = new GrantLog();
    private volatile boolean closing;
    private volatile long lastReleaseNanos;

    RunContext(EventLoopGroup group) {
        for (EventExecutor loop : group) {
            recorders.put(loop, new SingleWriterRecorder(LOWEST_NANOS, HIGHEST_NANOS, 3));
        }
    }

    SingleWriterRecorder recorderFor(EventLoop loop) {
        return recorders.get(loop);
    }

    /** Drops what was recorded so far: the end of the warm-up. */
    void resetLatencies() {
        for (SingleWriterRecorder recorder : recorders.values()) {
            recorder.reset();
        }
    }

    /** Everything recorded since the last reset, from all loops. */
    Histogram latencies() {
        Histogram total = new Histogram(LOWEST_NANOS, HIGHEST_NANOS, 3);
        for (SingleWriterRecorder recorder : recorders.values()) {
            total.add(recorder.getIntervalHistogram());
        }
        return total;
    }

    ErrorLog errors() {
        return errors;
    }

    GrantLog grants() {
        return grants;
    }

    /** From now on a closed connection is expected, not an error. */
    void closing() {
        closing = true;
    }

    boolean isClosing() {
        return closing;
    }

    long lastReleaseNanos() {
        return lastReleaseNanos;
    }

    void released(long nanos) {
        lastReleaseNanos = nanos;
    }
}
