package io.deadbolt.server.stats;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/** The process's CPU time split into user and system, as memcached's {@code rusage_*} report it. */
record ProcessUsage(long userMicros, long systemMicros) {
    private static final Path PROC_STAT = Path.of("/proc/self/stat");
    /** USER_HZ: the unit of /proc times; 100 on every Linux architecture Java runs on. */
    private static final long TICKS_PER_SECOND = 100;

    static ProcessUsage now() {
        try {
            String stat = Files.readString(PROC_STAT);
            // The command name (field 2) may hold spaces and parentheses; the fields after its last ')'
            // start with field 3, so utime (14) and stime (15) are the 12th and 13th of them.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long user = Long.parseLong(fields[11]);
            long system = Long.parseLong(fields[12]);
            return new ProcessUsage(user * 1_000_000 / TICKS_PER_SECOND, system * 1_000_000 / TICKS_PER_SECOND);
        } catch (IOException | RuntimeException notLinux) {
            if (ManagementFactory.getOperatingSystemMXBean()
                    instanceof com.sun.management.OperatingSystemMXBean os) {
                return new ProcessUsage(Math.max(0, os.getProcessCpuTime() / 1000), 0);
            }
            return new ProcessUsage(0, 0);
        }
    }

    /** Seconds with six decimals, {@code 1.234567}, as memcached prints them. */
    static String seconds(long micros) {
        return String.format(java.util.Locale.ROOT, "%d.%06d", micros / 1_000_000, micros % 1_000_000);
    }
}
