package io.deadbolt.it.monitoring;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The keys the memcached-protocol listener's {@code stats} must have, for every client of it. */
final class MemcachedStats {
    /** Item counters that memcached_exporter requires; deadbolt stores no items, so they stay 0. */
    static final List<String> ITEM_KEYS = List.of("cmd_set", "cas_misses", "cas_hits", "cas_badval");

    private MemcachedStats() {
    }

    /** The main port's {@code stats} keys, in their order, then the {@link #ITEM_KEYS}. */
    static List<String> expectedKeys(Map<String, String> mainPortStats) {
        List<String> keys = new ArrayList<>(mainPortStats.keySet());
        keys.addAll(ITEM_KEYS);
        return keys;
    }
}
