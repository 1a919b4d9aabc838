package io.deadbolt.bench.load;

import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Every scenario against every target in turn (deadbolt, Redis, deadbolt, Redis, ... over several
 * rounds, so that drift on the machine falls on both), then one table of medians with the ratio
 * deadbolt/Redis per row.
 */
public final class Suite {
    /**
     * @param redis  Redis' address, or null to drive deadbolt alone
     * @param idle   connections held open in the scale scenario
     * @param serverWarmup unrecorded traffic to each server before the first round, so that the JVM's
     *                     compiler has done its work before anything is measured
     */
    public record Settings(InetSocketAddress deadbolt, InetSocketAddress redis, int rounds, Duration warmup,
                           Duration measure, int connections, int depth, int contendedConnections, int idle,
                           long deadboltPid, long redisPid, Duration serverWarmup) {
    }

    private final LoadGenerator generator;
    private final Settings settings;
    private final PrintStream progress;
    /** Clean results per scenario row and target, one per round. */
    private final Map<String, Map<Target, List<RunResult>>> results = new LinkedHashMap<>();
    private final List<String> problems = new ArrayList<>();

    public Suite(LoadGenerator generator, Settings settings, PrintStream progress) {
        this.generator = generator;
        this.settings = settings;
        this.progress = progress;
    }

    /** Runs everything; true if every run was clean. */
    public boolean run() throws InterruptedException {
        List<Target> pairTargets = settings.redis() == null ? List.of(Target.DEADBOLT)
                : List.of(Target.DEADBOLT, Target.REDIS_LUA, Target.REDIS_DEL);
        List<Target> scaleTargets = settings.redis() == null ? List.of(Target.DEADBOLT)
                : List.of(Target.DEADBOLT, Target.REDIS_LUA);
        if (!settings.serverWarmup().isZero()) {
            progress.printf("-- warming up the servers (%d s, not recorded)%n", settings.serverWarmup().toSeconds());
            Duration each = settings.serverWarmup().dividedBy(3);
            for (Target target : pairTargets) {
                for (Scenario scenario : List.of(Scenario.UNCONTENDED, Scenario.PIPELINED, Scenario.CONTENDED)) {
                    if (scenario == Scenario.CONTENDED && target != Target.DEADBOLT) {
                        continue;
                    }
                    InetSocketAddress address = target == Target.DEADBOLT ? settings.deadbolt() : settings.redis();
                    int connections = scenario == Scenario.CONTENDED ? settings.contendedConnections()
                            : settings.connections();
                    generator.run(new RunSpec(target, scenario, address, connections, settings.depth(), 0,
                            each, Duration.ofMillis(1), "w" + scenario.ordinal() + "-", 0));
                }
            }
        }
        for (int round = 1; round <= settings.rounds(); round++) {
            progress.printf("-- round %d of %d%n", round, settings.rounds());
            for (Target target : pairTargets) {
                runOne(round, target, Scenario.UNCONTENDED, settings.connections(), 1, 0);
            }
            for (Target target : pairTargets) {
                runOne(round, target, Scenario.PIPELINED, settings.connections(), settings.depth(), 0);
            }
            runOne(round, Target.DEADBOLT, Scenario.CONTENDED, settings.contendedConnections(), 1, 0);
            if (settings.idle() > 0) {
                for (Target target : scaleTargets) {
                    runOne(round, target, Scenario.IDLE_SCALE, settings.connections(), 1, settings.idle());
                }
            }
        }
        return problems.isEmpty();
    }

    private void runOne(int round, Target target, Scenario scenario, int connections, int depth, int idle)
            throws InterruptedException {
        InetSocketAddress address = target == Target.DEADBOLT ? settings.deadbolt() : settings.redis();
        String prefix = "b" + round + scenario.name().charAt(0) + target.ordinal() + "-";
        long pid = target == Target.DEADBOLT ? settings.deadboltPid() : settings.redisPid();
        RunSpec spec = new RunSpec(target, scenario, address, connections, depth, idle, settings.warmup(),
                settings.measure(), prefix, pid);
        RunResult result = generator.run(spec);
        progress.println("   " + result.summary());
        if (!result.clean()) {
            problems.add(target.label() + " " + spec.describe() + ": " + result.problem());
            return;
        }
        results.computeIfAbsent(spec.describe(), k -> new EnumMap<>(Target.class))
                .computeIfAbsent(target, k -> new ArrayList<>()).add(result);
    }

    public List<String> problems() {
        return problems;
    }

    /** The table, as Markdown. */
    public String table() {
        StringBuilder out = new StringBuilder();
        boolean redis = settings.redis() != null;
        out.append(redis
                ? "| scenario | metric | deadbolt | redis+lua | deadbolt / redis+lua | redis+DEL | deadbolt / redis+DEL |\n"
                + "|---|---|---:|---:|---:|---:|---:|\n"
                : "| scenario | metric | deadbolt |\n|---|---|---:|\n");
        String baseline = null;
        for (Map.Entry<String, Map<Target, List<RunResult>>> row : results.entrySet()) {
            Map<Target, List<RunResult>> byTarget = row.getValue();
            RunResult any = byTarget.values().iterator().next().get(0);
            Scenario scenario = any.spec().scenario();
            if (scenario == Scenario.UNCONTENDED) {
                baseline = row.getKey();
            }
            String name = row.getKey();
            line(out, redis, name, any.throughputUnit(), byTarget, RunResult::throughput, "%,.0f", true);
            String what = scenario == Scenario.CONTENDED ? "hand-off " : "";
            line(out, redis, "", what + "p50 µs", byTarget, r -> r.micros(50), "%,.1f", false);
            line(out, redis, "", what + "p90 µs", byTarget, r -> r.micros(90), "%,.1f", false);
            line(out, redis, "", what + "p99 µs", byTarget, r -> r.micros(99), "%,.1f", false);
            line(out, redis, "", what + "p99.9 µs", byTarget, r -> r.micros(99.9), "%,.1f", false);
            if (!Double.isNaN(any.serverCpuMicrosPerOp())) {
                line(out, redis, "", "server CPU µs per " + (scenario == Scenario.CONTENDED ? "hand-off" : "pair"),
                        byTarget, RunResult::serverCpuMicrosPerOp, "%,.2f", false);
            }
            if (scenario == Scenario.CONTENDED) {
                List<RunResult> runs = byTarget.get(Target.DEADBOLT);
                long grants = runs.stream().mapToLong(r -> r.fifo().grants()).sum();
                out.append(String.format(Locale.ROOT, "| | FIFO | kept: no waiter overtaken in %,d grants |%s%n",
                        grants, redis ? " n/a (no wait queue) | | | |" : ""));
            }
            if (scenario == Scenario.IDLE_SCALE && baseline != null) {
                Map<Target, List<RunResult>> base = results.get(baseline);
                StringBuilder cells = new StringBuilder("| | p99 with idle / without |");
                for (Target target : redis ? List.of(Target.DEADBOLT, Target.REDIS_LUA, Target.REDIS_DEL)
                        : List.of(Target.DEADBOLT)) {
                    List<RunResult> with = byTarget.get(target);
                    List<RunResult> without = base.get(target);
                    String cell = with == null || without == null ? "" : String.format(Locale.ROOT, "%.2f×",
                            median(with, r -> r.micros(99)) / median(without, r -> r.micros(99)));
                    cells.append(' ').append(cell).append(" |");
                    if (target != Target.DEADBOLT) {
                        cells.append(" |");
                    }
                }
                out.append(cells).append('\n');
            }
        }
        return out.toString();
    }

    private static void line(StringBuilder out, boolean redis, String scenario, String metric,
                             Map<Target, List<RunResult>> byTarget, ToDoubleFunction<RunResult> value,
                             String format, boolean higherIsBetter) {
        out.append("| ").append(scenario).append(" | ").append(metric).append(" | ");
        List<RunResult> deadboltRuns = byTarget.get(Target.DEADBOLT);
        double deadbolt = cell(out, deadboltRuns, value, format);
        if (redis) {
            for (Target target : List.of(Target.REDIS_LUA, Target.REDIS_DEL)) {
                List<RunResult> otherRuns = byTarget.get(target);
                double other = cell(out, otherRuns, value, format);
                double ratio = pairedRatio(deadboltRuns, otherRuns, value);
                if (Double.isNaN(ratio)) {
                    ratio = deadbolt / other;
                }
                if (Double.isNaN(ratio) || Double.isInfinite(ratio)) {
                    out.append(" | ");
                } else {
                    out.append(String.format(Locale.ROOT, "%.2f", ratio)).append(" | ");
                }
            }
        }
        out.setLength(out.length() - 1);
        out.append('\n');
    }

    private static double cell(StringBuilder out, List<RunResult> runs, ToDoubleFunction<RunResult> value,
                               String format) {
        if (runs == null || runs.isEmpty()) {
            out.append("n/a | ");
            return Double.NaN;
        }
        double median = median(runs, value);
        out.append(String.format(Locale.ROOT, format, median)).append(" | ");
        return median;
    }

    /**
     * The median over rounds of each round's deadbolt/Redis ratio: the two runs of a round are back to
     * back, so pairing them cancels most of the drift of a shared machine. NaN unless both have a clean
     * run in every round.
     */
    static double pairedRatio(List<RunResult> deadbolt, List<RunResult> other, ToDoubleFunction<RunResult> value) {
        if (deadbolt == null || other == null || deadbolt.size() != other.size() || deadbolt.isEmpty()) {
            return Double.NaN;
        }
        double[] ratios = new double[deadbolt.size()];
        for (int i = 0; i < ratios.length; i++) {
            ratios[i] = value.applyAsDouble(deadbolt.get(i)) / value.applyAsDouble(other.get(i));
        }
        Arrays.sort(ratios);
        int n = ratios.length;
        return n % 2 == 1 ? ratios[n / 2] : (ratios[n / 2 - 1] + ratios[n / 2]) / 2;
    }

    static double median(List<RunResult> runs, ToDoubleFunction<RunResult> value) {
        double[] values = runs.stream().mapToDouble(value).toArray();
        Arrays.sort(values);
        int n = values.length;
        return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
    }
}
