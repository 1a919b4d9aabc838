package io.deadbolt.bench.load;

/** What the generator drives, and how it takes and releases a lock there. */
public enum Target {
    /** deadbolt's text protocol: {@code lock NAME [WAIT]}, {@code unlock NAME}. */
    DEADBOLT("deadbolt"),
    /**
     * Redis as people lock with it: {@code SET key token NX PX 30000}, and the check-and-delete Lua script
     * (by EVALSHA) to release only a lock that is still one's own.
     */
    REDIS_LUA("redis+lua"),
    /** Redis with a plain {@code DEL} to release: cheaper, but it may delete someone else's lock. */
    REDIS_DEL("redis+DEL");

    private final String label;

    Target(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    public boolean isRedis() {
        return this != DEADBOLT;
    }

    public static Target fromLabel(String label) {
        for (Target target : values()) {
            if (target.label.equalsIgnoreCase(label) || target.name().equalsIgnoreCase(label)) {
                return target;
            }
        }
        throw new IllegalArgumentException("unknown target '" + label + "': deadbolt, redis+lua or redis+DEL");
    }
}
