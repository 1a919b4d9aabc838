package io.deadbolt.bench.load;

import java.util.ArrayList;
import java.util.List;

/** Everything that went wrong in a run: a count, and the first few messages to say what. */
final class ErrorLog {
    private static final int KEPT = 5;
    private final List<String> first = new ArrayList<>();
    private long count;

    synchronized void add(String message) {
        count++;
        if (first.size() < KEPT) {
            first.add(message);
        }
    }

    synchronized long count() {
        return count;
    }

    synchronized List<String> first() {
        return List.copyOf(first);
    }
}
