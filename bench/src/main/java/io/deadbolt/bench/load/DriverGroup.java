package io.deadbolt.bench.load;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** A set of connections that start and stop together: the active ones, or the idle ones of the scale run. */
final class DriverGroup {
    final boolean records;
    final boolean startOnConnect;
    private volatile boolean running;
    private final AtomicInteger remaining;
    private final CountDownLatch done = new CountDownLatch(1);

    /**
     * @param size           how many connections will report {@link #finished()}
     * @param records        whether their round trips go into the run's histogram
     * @param startOnConnect whether each sends its first requests as soon as it is connected
     * @param running        whether they keep going after their first requests
     */
    DriverGroup(int size, boolean records, boolean startOnConnect, boolean running) {
        this.records = records;
        this.startOnConnect = startOnConnect;
        this.running = running;
        this.remaining = new AtomicInteger(size);
        if (size == 0) {
            done.countDown();
        }
    }

    boolean running() {
        return running;
    }

    /** Each connection finishes what it has in flight and then stops. */
    void stop() {
        running = false;
    }

    void finished() {
        if (remaining.decrementAndGet() == 0) {
            done.countDown();
        }
    }

    int remaining() {
        return remaining.get();
    }

    boolean awaitDone(long millis) throws InterruptedException {
        return done.await(millis, TimeUnit.MILLISECONDS);
    }
}
