package io.deadbolt.bench.load;

import io.deadbolt.bench.load.GrantLog.FifoReport;
import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * What one run measured. Its numbers are only available from a clean run: one with errors (a wrong
 * reply, a refused or dropped connection, requests left unanswered, FIFO broken) refuses to report them.
 *
 * @param completed requests answered in the window (hand-offs, for the contended run)
 * @param seconds   length of the measured window
 * @param latency   round trip per request in nanoseconds (hand-off time, for the contended run)
 * @param fifo      the FIFO check of the contended run, else null
 * @param serverCpuNanos CPU time the server used in the window, all threads; -1 if not measured
 */
public record RunResult(RunSpec spec, long completed, double seconds, Histogram latency, long errors,
                        List<String> firstErrors, FifoReport fifo, long serverCpuNanos) {

    public boolean clean() {
        return errors == 0 && (fifo == null || fifo.kept()) && completed > 0;
    }

    /** Why the run is not clean, for the operator. */
    public String problem() {
        if (errors > 0) {
            return errors + " error(s), first: " + String.join("; ", firstErrors);
        }
        if (fifo != null && !fifo.kept()) {
            return fifo.grants() == 0 ? "no grant seen, FIFO not checked"
                    : "FIFO broken: " + fifo.violations() + " of " + fifo.grants() + " grants overtook a queued waiter";
        }
        if (completed == 0) {
            return "no request completed in the measured window";
        }
        return "";
    }

    private void requireClean() {
        if (!clean()) {
            throw new IllegalStateException("refusing to report numbers from a run with problems: " + problem());
        }
    }

    /** Lock+unlock pairs per second; hand-offs per second for the contended run. */
    public double throughput() {
        requireClean();
        return spec.scenario() == Scenario.CONTENDED ? completed / seconds : completed / 2.0 / seconds;
    }

    /** Server CPU per lock+unlock pair (per hand-off, contended) in microseconds; NaN if not measured. */
    public double serverCpuMicrosPerOp() {
        requireClean();
        if (serverCpuNanos < 0) {
            return Double.NaN;
        }
        double ops = spec.scenario() == Scenario.CONTENDED ? completed : completed / 2.0;
        return serverCpuNanos / 1000.0 / ops;
    }

    public String throughputUnit() {
        return spec.scenario() == Scenario.CONTENDED ? "hand-offs/s" : "lock+unlock/s";
    }

    /** Latency at a percentile, in microseconds. */
    public double micros(double percentile) {
        requireClean();
        return latency.getValueAtPercentile(percentile) / 1000.0;
    }

    public String summary() {
        if (!clean()) {
            return String.format("%-10s %-34s REFUSED: %s", spec.target().label(), spec.describe(), problem());
        }
        String text = String.format("%-10s %-34s %,12.0f %-13s p50 %7.1f  p90 %7.1f  p99 %7.1f  p99.9 %8.1f µs",
                spec.target().label(), spec.describe(), throughput(), throughputUnit(),
                micros(50), micros(90), micros(99), micros(99.9));
        if (serverCpuNanos >= 0) {
            text += String.format("  server CPU %.2f µs/op", serverCpuMicrosPerOp());
        }
        if (fifo != null) {
            text += String.format("  FIFO kept over %,d grants", fifo.grants());
        }
        return text;
    }
}
