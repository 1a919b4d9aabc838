package io.deadbolt.bench.load;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;

/**
 * One measured run.
 *
 * @param target      what is driven
 * @param scenario    the load shape
 * @param address     where the target listens
 * @param connections active connections
 * @param depth       lock/unlock pairs in flight per connection ({@link Scenario#PIPELINED})
 * @param idle        connections opened, used once and held open during the run ({@link Scenario#IDLE_SCALE})
 * @param warmup      traffic before measuring
 * @param measure     the measured window
 * @param namePrefix  prefix of every lock name and key, so that runs do not meet
 * @param serverPid   the server's process id, to measure its CPU time per request; 0 if unknown
 */
public record RunSpec(Target target, Scenario scenario, InetSocketAddress address, int connections, int depth,
                      int idle, Duration warmup, Duration measure, String namePrefix, long serverPid) {
    public RunSpec {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(scenario, "scenario");
        Objects.requireNonNull(address, "address");
        if (connections < 1 || depth < 1 || idle < 0) {
            throw new IllegalArgumentException("connections and depth must be positive, idle not negative");
        }
        if (scenario == Scenario.CONTENDED && target != Target.DEADBOLT) {
            throw new IllegalArgumentException("the contended scenario needs a wait queue: deadbolt only");
        }
    }

    /** What the table calls this run's shape. */
    public String describe() {
        return switch (scenario) {
            case UNCONTENDED -> "uncontended, " + connections + " conns";
            case PIPELINED -> "pipelined x" + depth + ", " + connections + " conns";
            case CONTENDED -> "contended, " + connections + " conns, 1 name";
            case IDLE_SCALE -> String.format("%,d idle + %d active", idle, connections);
        };
    }
}
