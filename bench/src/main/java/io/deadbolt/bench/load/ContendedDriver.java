package io.deadbolt.bench.load;

import io.netty.buffer.ByteBuf;

/**
 * Waits for the one shared name with {@code lock NAME WAIT}; once granted, releases it and queues again in
 * the same write, as a worker that wants the lock again at once would. Each grant goes to the
 * {@link GrantLog} with the times {@link GrantLog} needs to check FIFO.
 */
final class ContendedDriver extends Driver {
    private static final byte[] UNLOCKED = Dialect.ascii("200 Unlocked");

    private final byte[] lockWait;
    private final byte[] unlock;

    ContendedDriver(RunContext run, DriverGroup group, String name, int waitSeconds) {
        super(run, group, 4);
        this.lockWait = Dialect.ascii("lock " + name + " " + waitSeconds + "\r\n");
        this.unlock = Dialect.ascii("unlock " + name + "\r\n");
    }

    /** When the client knew its pending lock request was queued; never, for the first one. */
    private long queuedAt = Long.MAX_VALUE;

    @Override
    void start() {
        request(LOCK, 0, System.nanoTime()).writeBytes(lockWait);
    }

    @Override
    void onReply(byte kind, int slot, long sentNanos, long nowNanos, ByteBuf in, int start, int length) {
        if (kind == LOCK) {
            long token = Dialect.startsWith(in, start, length, Dialect.Deadbolt.ACQUIRED)
                    ? Dialect.parseDecimal(in, start, length, Dialect.Deadbolt.ACQUIRED.length) : -1;
            if (token <= 0) {
                fail("lock WAIT answered " + line(in, start, length));
                return;
            }
            long released = run.lastReleaseNanos();
            if (released != 0) {
                record(nowNanos - released);
            }
            run.grants().add(token, sentNanos, queuedAt);
            queuedAt = Long.MAX_VALUE;
            request(UNLOCK, 0, nowNanos).writeBytes(unlock);
            if (group.running()) {
                request(LOCK, 0, nowNanos).writeBytes(lockWait);
            }
            run.released(System.nanoTime());
            return;
        }
        if (!Dialect.equals(in, start, length, UNLOCKED)) {
            fail("unlock answered " + line(in, start, length));
            return;
        }
        if (inFlight > 0) {
            queuedAt = nowNanos;
        }
        if (inFlight == 0 && !group.running()) {
            finish();
        }
    }
}
