package io.deadbolt.server.lock;

import java.util.ArrayList;
import java.util.List;

/** Captures the table's late answers in the order they were given. */
final class RecordingListener implements LockTable.Listener {

    sealed interface Event permits Granted, WaitExpired, SessionExpired {
        /** The event without its token, for assertions that cannot know the token in advance. */
        String brief();
    }

    record Granted(String session, String name, long token) implements Event {
        @Override
        public String brief() {
            return "granted " + session + " " + name;
        }
    }

    record WaitExpired(String session, String name) implements Event {
        @Override
        public String brief() {
            return "waitExpired " + session + " " + name;
        }
    }

    record SessionExpired(String session, int locksReleased) implements Event {
        @Override
        public String brief() {
            return "sessionExpired " + session + " " + locksReleased;
        }
    }

    private final List<Event> pending = new ArrayList<>();
    /** Hold and wait durations, kept apart from the events so that tests of the answers need not see them. */
    private final List<String> timings = new ArrayList<>();

    @Override
    public void granted(String sessionId, String name, long token) {
        pending.add(new Granted(sessionId, name, token));
    }

    @Override
    public void waitExpired(String sessionId, String name) {
        pending.add(new WaitExpired(sessionId, name));
    }

    @Override
    public void sessionExpired(String sessionId, int locksReleased) {
        pending.add(new SessionExpired(sessionId, locksReleased));
    }

    @Override
    public void lockReleased(long heldMillis) {
        timings.add("held " + heldMillis);
    }

    @Override
    public void waitEnded(long waitedMillis) {
        timings.add("waited " + waitedMillis);
    }

    /** The durations reported since the last call, as {@code "held N"} and {@code "waited N"}, oldest first. */
    List<String> drainTimings() {
        List<String> reported = List.copyOf(timings);
        timings.clear();
        return reported;
    }

    /** The events since the last call, oldest first. */
    List<Event> drain() {
        List<Event> events = List.copyOf(pending);
        pending.clear();
        return events;
    }

    /** Like {@link #drain()}, as {@link Event#brief()} strings. */
    List<String> drainBrief() {
        return drain().stream().map(Event::brief).toList();
    }

    /** Drains, expecting exactly one event, a grant to {@code session} of {@code name}; returns its token. */
    long drainSingleGrant(String session, String name) {
        List<Event> events = drain();
        if (events.size() != 1 || !(events.get(0) instanceof Granted)) {
            throw new AssertionError("expected one grant of " + name + " to " + session + " but got " + events);
        }
        Granted grant = (Granted) events.get(0);
        if (!grant.session().equals(session) || !grant.name().equals(name)) {
            throw new AssertionError("expected a grant of " + name + " to " + session + " but got " + grant);
        }
        return grant.token();
    }
}
