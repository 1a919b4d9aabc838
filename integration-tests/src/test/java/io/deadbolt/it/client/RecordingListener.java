package io.deadbolt.it.client;

import io.deadbolt.client.SessionListener;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Keeps the session events a client reports, in order, and lets a test wait for one with a bound. */
class RecordingListener implements SessionListener {
    static final Duration EVENT_TIMEOUT = Duration.ofSeconds(10);

    enum Type { CONNECTION_LOST, RESUMED, SESSION_EXPIRED, SESSION_STARTED }

    record Event(Type type, String sessionId, int locksHeld) {
    }

    private final BlockingQueue<Event> unread = new LinkedBlockingQueue<>();
    private final List<Event> all = new CopyOnWriteArrayList<>();

    @Override
    public void connectionLost(String sessionId, Throwable cause) {
        record(new Event(Type.CONNECTION_LOST, sessionId, -1));
    }

    @Override
    public void resumed(String sessionId, int locksHeld) {
        record(new Event(Type.RESUMED, sessionId, locksHeld));
    }

    @Override
    public void sessionExpired(String sessionId) {
        record(new Event(Type.SESSION_EXPIRED, sessionId, -1));
    }

    @Override
    public void sessionStarted(String sessionId) {
        record(new Event(Type.SESSION_STARTED, sessionId, -1));
    }

    private void record(Event event) {
        all.add(event);
        unread.add(event);
    }

    /** The next event of this type, skipping others; fails the test if none comes within the timeout. */
    Event await(Type type) throws InterruptedException {
        return within(type, EVENT_TIMEOUT)
                .orElseThrow(() -> new AssertionError("no " + type + " event within " + EVENT_TIMEOUT + "; saw " + all));
    }

    /** The next event of this type within {@code timeout}, skipping others, or empty. */
    Optional<Event> within(Type type, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            Event event = unread.poll(Math.max(0, left), TimeUnit.NANOSECONDS);
            if (event == null) {
                return Optional.empty();
            }
            if (event.type() == type) {
                return Optional.of(event);
            }
        }
    }

    List<Type> types() {
        return all.stream().map(Event::type).toList();
    }
}
