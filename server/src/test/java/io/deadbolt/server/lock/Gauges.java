package io.deadbolt.server.lock;

/** The table's gauges at one instant, compared as a whole so a failure shows all of them. */
record Gauges(int sessions, int connected, int inGrace, int heldLocks, int waiters) {

    static Gauges of(LockTable table) {
        return new Gauges(table.sessions(), table.connectedSessions(), table.sessionsInGrace(),
                table.heldLocks(), table.waiters());
    }
}
