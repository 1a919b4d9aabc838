package io.deadbolt.bench.load;

import io.netty.buffer.ByteBuf;

/**
 * Takes and releases names of its own, over and over. With {@code pipelined} off it is a plain client:
 * lock, wait for the answer, unlock, wait. With it on, each of its {@code slots} sends lock and unlock
 * together and sends the next pair when the unlock is answered, so {@code slots} pairs stay in flight.
 */
final class PairDriver extends Driver {
    private final Dialect dialect;
    private final byte[][] keys;
    private final long[] tokens;
    private final boolean pipelined;
    private final long tokenBase;
    private long tokenSeq;

    PairDriver(RunContext run, DriverGroup group, Dialect dialect, String namePrefix, int connection, int slots,
               boolean pipelined) {
        super(run, group, slots * 2);
        this.dialect = dialect;
        this.pipelined = pipelined;
        this.keys = new byte[slots][];
        for (int slot = 0; slot < slots; slot++) {
            keys[slot] = Dialect.ascii(namePrefix + connection + "-" + slot);
        }
        this.tokens = new long[slots];
        // Unique per acquisition across the run, as a random token would be, without a random generator.
        this.tokenBase = ((long) connection << 40) ^ (System.nanoTime() << 20);
    }

    @Override
    void start() {
        long now = System.nanoTime();
        for (int slot = 0; slot < keys.length; slot++) {
            take(slot, now);
        }
    }

    private void take(int slot, long now) {
        long token = tokenBase + tokenSeq++;
        tokens[slot] = token;
        dialect.writeLock(request(LOCK, slot, now), keys[slot], token);
        if (pipelined) {
            release(slot, now);
        }
    }

    private void release(int slot, long now) {
        dialect.writeUnlock(request(UNLOCK, slot, now), keys[slot], tokens[slot]);
    }

    @Override
    void onReply(byte kind, int slot, long sentNanos, long nowNanos, ByteBuf in, int start, int length) {
        record(nowNanos - sentNanos);
        if (kind == LOCK) {
            if (!dialect.isLocked(in, start, length)) {
                fail("lock " + new String(keys[slot]) + " answered " + line(in, start, length));
                return;
            }
            if (!pipelined) {
                release(slot, nowNanos);
            }
            return;
        }
        if (!dialect.isUnlocked(in, start, length)) {
            fail("unlock " + new String(keys[slot]) + " answered " + line(in, start, length));
            return;
        }
        if (group.running()) {
            take(slot, nowNanos);
        } else if (inFlight == 0) {
            finish();
        }
    }
}
