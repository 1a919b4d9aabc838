package io.deadbolt.bench.load;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time a server process has used, all its threads together, from Linux's per-thread scheduler
 * statistics (nanoseconds). On a shared two-core machine this is steadier than throughput: it says what
 * one lock+unlock costs the server, however busy the machine is.
 */
final class ProcessCpu {
    private ProcessCpu() {
    }

    /** Nanoseconds of CPU used by process {@code pid} so far, or -1 when it cannot be read. */
    static long nanos(long pid) {
        if (pid <= 0) {
            return -1;
        }
        long total = 0;
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks) {
                try {
                    String stat = Files.readString(task.resolve("schedstat")).trim();
                    int space = stat.indexOf(' ');
                    total += Long.parseLong(space < 0 ? stat : stat.substring(0, space));
                } catch (IOException | NumberFormatException threadGone) {
                    // A thread that ended while we looked: its time is lost to this sample, a rounding error.
                }
            }
        } catch (IOException e) {
            return -1;
        }
        return total;
    }
}
