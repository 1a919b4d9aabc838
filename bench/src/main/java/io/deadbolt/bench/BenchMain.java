package io.deadbolt.bench;

import io.deadbolt.bench.heap.HeapPerLock;
import io.deadbolt.bench.load.LoadGenerator;
import io.deadbolt.bench.load.RunResult;
import io.deadbolt.bench.load.RunSpec;
import io.deadbolt.bench.load.Scenario;
import io.deadbolt.bench.load.Suite;
import io.deadbolt.bench.load.Target;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code java -jar deadbolt-bench-*-all.jar suite|run|heap|jmh ...}: see docs/performance.md. */
@Command(name = "deadbolt-bench", mixinStandardHelpOptions = true,
        description = "Load generator (deadbolt and Redis), heap per lock, JMH benchmarks.",
        subcommands = {BenchMain.SuiteCommand.class, BenchMain.RunCommand.class, BenchMain.HeapCommand.class,
            CommandLine.HelpCommand.class},
        footer = "%nJMH: deadbolt-bench jmh [JMH options], e.g. 'jmh -prof gc LockTable'.")
public final class BenchMain implements Callable<Integer> {

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("jmh")) {
            // JMH parses its own options (-f, -wi, -prof ...), so they bypass picocli.
            org.openjdk.jmh.Main.main(java.util.Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        System.exit(new CommandLine(new BenchMain())
                .registerConverter(InetSocketAddress.class, BenchMain::address)
                .execute(args));
    }

    @Override
    public Integer call() {
        CommandLine.usage(this, System.err);
        return CommandLine.ExitCode.USAGE;
    }

    static InetSocketAddress address(String text) {
        int colon = text.lastIndexOf(':');
        if (colon < 1) {
            throw new CommandLine.TypeConversionException("expected HOST:PORT, got '" + text + "'");
        }
        return new InetSocketAddress(text.substring(0, colon), Integer.parseInt(text.substring(colon + 1)));
    }

    static Duration seconds(double seconds) {
        return Duration.ofMillis(Math.round(seconds * 1000));
    }

    @Command(name = "suite", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Every scenario against deadbolt and Redis in turn, over several rounds; prints the "
                    + "table of medians. Exits 1 if any run had errors (its numbers are not reported).")
    static final class SuiteCommand implements Callable<Integer> {
        @Option(names = "--deadbolt", required = true, paramLabel = "HOST:PORT")
        InetSocketAddress deadbolt;

        @Option(names = "--redis", paramLabel = "HOST:PORT", description = "Leave out to drive deadbolt alone.")
        InetSocketAddress redis;

        @Option(names = "--rounds", defaultValue = "3")
        int rounds;

        @Option(names = "--warmup", paramLabel = "SECONDS", defaultValue = "2")
        double warmup;

        @Option(names = "--measure", paramLabel = "SECONDS", defaultValue = "5")
        double measure;

        @Option(names = "--connections", defaultValue = "50")
        int connections;

        @Option(names = "--depth", defaultValue = "16", description = "Pairs in flight per connection, pipelined.")
        int depth;

        @Option(names = "--contended", defaultValue = "100", description = "Connections on the one shared name.")
        int contended;

        @Option(names = "--idle", defaultValue = "19000", description = "Idle connections in the scale run; 0 skips it.")
        int idle;

        @Option(names = "--threads", defaultValue = "1", description = "Generator event loop threads.")
        int threads;

        @Option(names = "--server-warmup", paramLabel = "SECONDS", defaultValue = "12",
                description = "Unrecorded traffic to each server before the first round.")
        double serverWarmup;

        @Option(names = "--deadbolt-pid", defaultValue = "0", description = "To measure deadbolt's CPU per request.")
        long deadboltPid;

        @Option(names = "--redis-pid", defaultValue = "0", description = "To measure Redis' CPU per request.")
        long redisPid;

        @Override
        public Integer call() throws InterruptedException {
            Suite.Settings settings = new Suite.Settings(deadbolt, redis, rounds, seconds(warmup), seconds(measure),
                    connections, depth, contended, idle, deadboltPid, redisPid,
                    seconds(serverWarmup));
            try (LoadGenerator generator = new LoadGenerator(threads)) {
                Suite suite = new Suite(generator, settings, System.err);
                boolean clean = suite.run();
                System.out.printf("%nMedians of %d round(s) after %.0f s of unrecorded traffic to each server; each "
                        + "run %.0f s warm-up, %.0f s measured; generator: 1 process, %d event loop thread(s).%n",
                        rounds, serverWarmup, warmup, measure, threads);
                System.out.println("Values are medians over the rounds; a ratio is the median over the rounds of "
                        + "that round's deadbolt/Redis ratio.");
                System.out.println();
                System.out.print(suite.table());
                if (!clean) {
                    System.out.println();
                    System.out.println("Runs with errors (their numbers are not reported):");
                    suite.problems().forEach(p -> System.out.println("  " + p));
                    return 1;
                }
                return 0;
            }
        }
    }

    @Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
            description = "One run of one scenario against one target, e.g. to profile the server under it.")
    static final class RunCommand implements Callable<Integer> {
        @Option(names = "--target", defaultValue = "deadbolt", description = "deadbolt, redis+lua or redis+DEL")
        String target;

        @Option(names = "--scenario", defaultValue = "uncontended",
                description = "uncontended, pipelined, contended or idle-scale")
        String scenario;

        @Option(names = "--address", required = true, paramLabel = "HOST:PORT")
        InetSocketAddress address;

        @Option(names = "--connections", defaultValue = "50")
        int connections;

        @Option(names = "--depth", defaultValue = "16")
        int depth;

        @Option(names = "--idle", defaultValue = "0")
        int idle;

        @Option(names = "--warmup", paramLabel = "SECONDS", defaultValue = "2")
        double warmup;

        @Option(names = "--measure", paramLabel = "SECONDS", defaultValue = "5")
        double measure;

        @Option(names = "--threads", defaultValue = "1")
        int threads;

        @Option(names = "--prefix", defaultValue = "bench-", description = "Prefix of the lock names.")
        String prefix;

        @Option(names = "--server-pid", defaultValue = "0", description = "To measure the server's CPU per request.")
        long serverPid;

        @Override
        public Integer call() throws InterruptedException {
            Scenario shape = Scenario.fromLabel(scenario);
            RunSpec spec = new RunSpec(Target.fromLabel(target), shape, address, connections,
                    shape == Scenario.PIPELINED ? depth : 1, shape == Scenario.IDLE_SCALE ? idle : 0,
                    seconds(warmup), seconds(measure), prefix, serverPid);
            try (LoadGenerator generator = new LoadGenerator(threads)) {
                RunResult result = generator.run(spec);
                System.out.println(result.summary());
                return result.clean() ? 0 : 1;
            }
        }
    }

    @Command(name = "heap", mixinStandardHelpOptions = true,
            description = "Heap per held lock in a LockTable; run it in a JVM of its own.")
    static final class HeapCommand implements Callable<Integer> {
        @Option(names = "--locks", defaultValue = "1000000")
        int locks;

        @Option(names = "--sessions", defaultValue = "10000")
        int sessions;

        @Override
        public Integer call() {
            HeapPerLock.Measurement m = HeapPerLock.measure(sessions, locks);
            System.out.println(m.describe());
            return 0;
        }
    }
}
