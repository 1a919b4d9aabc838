package io.deadbolt.bench.heap;

import io.deadbolt.server.lock.LockTable;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.ref.Reference;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Random;

/**
 * Heap that held locks cost in a {@link LockTable}: used heap after a full collection, before and after
 * taking {@code locks} locks spread over {@code sessions} sessions. The lock names are made fresh, as the
 * request decoder would make them, so their strings count: the table keeps them. Run it in a JVM of its
 * own, so nothing else allocates in between.
 */
public final class HeapPerLock {
    private static final LockTable.Listener SILENT = new LockTable.Listener() {
        @Override
        public void granted(String sessionId, String name, long token) {
        }

        @Override
        public void waitExpired(String sessionId, String name) {
        }
    };

    private HeapPerLock() {
    }

    /**
     * @param bytesPerLock      heap per held lock, name included
     * @param nameBytesPerLock  of which the name string itself (measured alone the same way)
     * @param nameLength        characters of a typical name
     */
    public record Measurement(int sessions, int locks, double bytesPerLock, double nameBytesPerLock,
                              int nameLength) {
        public String describe() {
            return String.format(Locale.ROOT,
                    "%,d held locks over %,d sessions: %.1f bytes of heap per lock, of which %.1f are the "
                            + "name string itself (%d characters, like \"%s\"); %.1f bytes of table structure",
                    locks, sessions, bytesPerLock, nameBytesPerLock, nameLength, name(locks / 2),
                    bytesPerLock - nameBytesPerLock);
        }
    }

    static String name(int i) {
        return "resource-" + i;
    }

    public static Measurement measure(int sessions, int locks) {
        LockTable table = new LockTable(0, SILENT);
        String[] ids = new String[sessions];
        Random random = new Random(42);
        byte[] idBytes = new byte[16];
        for (int i = 0; i < sessions; i++) {
            random.nextBytes(idBytes);
            ids[i] = HexFormat.of().formatHex(idBytes);
            table.openSession(ids[i], 30_000);
        }

        long before = usedAfterGc();
        for (int i = 0; i < locks; i++) {
            table.lock(ids[i % sessions], name(i), 0, 0);
        }
        long after = usedAfterGc();
        if (table.heldLocks() != locks) {
            throw new IllegalStateException("expected " + locks + " held locks, the table has " + table.heldLocks());
        }
        double perLock = (after - before) / (double) locks;
        Reference.reachabilityFence(table);
        table = null;

        // The names alone, to tell the table's own structure from the strings it must keep.
        long namesBefore = usedAfterGc();
        String[] names = new String[locks];
        for (int i = 0; i < locks; i++) {
            names[i] = name(i);
        }
        long namesAfter = usedAfterGc();
        long arrayBytes = 16L + 4L * locks;
        double perName = (namesAfter - namesBefore - arrayBytes) / (double) locks;
        Reference.reachabilityFence(names);
        Reference.reachabilityFence(ids);
        return new Measurement(sessions, locks, perLock, perName, name(locks / 2).length());
    }

    private static long usedAfterGc() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long used = Long.MAX_VALUE;
        // A few rounds until the figure settles: one System.gc() may leave some garbage behind.
        for (int i = 0; i < 5; i++) {
            System.gc();
            long now = memory.getHeapMemoryUsage().getUsed();
            if (Math.abs(now - used) < 4096) {
                return now;
            }
            used = now;
        }
        return used;
    }
}
