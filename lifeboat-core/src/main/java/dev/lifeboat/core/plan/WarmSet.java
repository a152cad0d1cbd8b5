package dev.lifeboat.core.plan;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A set of cache keys to load after a cache recovery, before traffic returns: from the newest Redis snapshot (keys
 * matching {@code keys} patterns) or from rows of a PostgreSQL query (first column the key, the second the value,
 * or, as a hash, the remaining columns as fields).
 *
 * @param name     the set's name
 * @param priority warming order: critical sets first
 * @param source   where the values come from
 * @param keys     glob patterns of keys (snapshot source)
 * @param postgres the PostgreSQL cluster to query (postgres source)
 * @param database the database to query, when not the cluster's default
 * @param query    the SQL query (postgres source)
 * @param shape    how rows become values
 * @param ttl      expiry of loaded keys, if any
 */
public record WarmSet(String name, Criticality priority, Source source, List<String> keys, Optional<String> postgres, Optional<String> database,
                      Optional<String> query, Shape shape, Optional<Duration> ttl) {
    public enum Source { SNAPSHOT, POSTGRES }

    public enum Shape { STRING, HASH }

    public WarmSet {
        keys = List.copyOf(keys);
    }
}
