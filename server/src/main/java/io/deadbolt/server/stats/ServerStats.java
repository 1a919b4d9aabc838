package io.deadbolt.server.stats;

import io.deadbolt.protocol.CommandType;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/** Connection and traffic counters, updated from every event loop without contention. */
public final class ServerStats {
    private final long startNanos = System.nanoTime();
    private final AtomicInteger currentConnections = new AtomicInteger();
    private final LongAdder totalConnections = new LongAdder();
    private final LongAdder bytesRead = new LongAdder();
    private final LongAdder bytesWritten = new LongAdder();
    private final LongAdder rejectedConnections = new LongAdder();
    private final LongAdder authErrors = new LongAdder();
    /**
     * Requests by command. Null for {@code lock} and {@code unlock}: the lock table counts those already,
     * and they are the requests where an extra increment would show.
     */
    private final LongAdder[] commands = new LongAdder[CommandType.values().length];

    public ServerStats() {
        for (CommandType type : CommandType.values()) {
            if (type != CommandType.LOCK && type != CommandType.UNLOCK) {
                commands[type.ordinal()] = new LongAdder();
            }
        }
    }

    /** A well-formed request of this type arrived. */
    public void commandReceived(CommandType type) {
        LongAdder count = commands[type.ordinal()];
        if (count != null) {
            count.increment();
        }
    }

    /** Requests of this type so far; always 0 for {@code lock} and {@code unlock}, which the table counts. */
    public long commands(CommandType type) {
        LongAdder count = commands[type.ordinal()];
        return count == null ? 0 : count.sum();
    }

    public void connectionOpened() {
        currentConnections.incrementAndGet();
        totalConnections.increment();
    }

    public void connectionClosed() {
        currentConnections.decrementAndGet();
    }

    public void read(long bytes) {
        bytesRead.add(bytes);
    }

    public void written(long bytes) {
        bytesWritten.add(bytes);
    }

    public int currentConnections() {
        return currentConnections.get();
    }

    public long totalConnections() {
        return totalConnections.sum();
    }

    public long bytesRead() {
        return bytesRead.sum();
    }

    public long bytesWritten() {
        return bytesWritten.sum();
    }

    public long uptimeSeconds() {
        return (System.nanoTime() - startNanos) / 1_000_000_000L;
    }

    /** A connection turned away by {@code --max-connections}. */
    public void connectionRejected() {
        rejectedConnections.increment();
    }

    public void authFailed() {
        authErrors.increment();
    }

    public long rejectedConnections() {
        return rejectedConnections.sum();
    }

    public long authErrors() {
        return authErrors.sum();
    }
}
