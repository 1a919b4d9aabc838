package io.deadbolt.bench.load;

/** The load shapes of the benchmark. */
public enum Scenario {
    /** Every connection takes and releases its own name, one request in flight at a time. */
    UNCONTENDED("uncontended"),
    /** Every connection keeps {@code depth} lock/unlock pairs of its own names in flight. */
    PIPELINED("pipelined"),
    /** Every connection waits for one shared name ({@code lock NAME WAIT}), holds it, and queues again. */
    CONTENDED("contended"),
    /** {@code idle} connections are opened and used once, then held open while the active ones run uncontended. */
    IDLE_SCALE("idle-scale");

    private final String label;

    Scenario(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    public static Scenario fromLabel(String label) {
        for (Scenario scenario : values()) {
            if (scenario.label.equalsIgnoreCase(label) || scenario.name().equalsIgnoreCase(label)) {
                return scenario;
            }
        }
        throw new IllegalArgumentException("unknown scenario '" + label + "'");
    }
}
