package dev.lifeboat.core.plan;

import java.util.Map;

/** Everything that holds data Lifeboat protects, by kind, keyed by name. */
public record Resources(Map<String, PostgresCluster> postgres, Map<String, RedisInstance> redis,
                        Map<String, Bucket> buckets, Map<String, ConfigSource> configSources) {
    public static Resources none() {
        return new Resources(Map.of(), Map.of(), Map.of(), Map.of());
    }

    public boolean contains(String name) {
        return postgres.containsKey(name) || redis.containsKey(name) || buckets.containsKey(name)
                || configSources.containsKey(name);
    }

    /** A resource kind in words, for reports. */
    public String kindOf(String name) {
        if (postgres.containsKey(name)) {
            return "PostgreSQL cluster";
        }
        if (redis.containsKey(name)) {
            return "Redis instance";
        }
        if (buckets.containsKey(name)) {
            return "bucket";
        }
        return configSources.containsKey(name) ? "configuration source" : "unknown";
    }
}
