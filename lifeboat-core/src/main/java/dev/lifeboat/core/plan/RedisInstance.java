package dev.lifeboat.core.plan;

import java.util.List;
import java.util.Optional;

/**
 * A Redis primary with its replicas and, optionally, the Sentinel group that fails it over, and the key sets to
 * warm after a recovery.
 */
public record RedisInstance(String name, Endpoint primary, List<Endpoint> replicas, Optional<Sentinel> sentinel,
                            Optional<Secret> password, java.util.Map<String, WarmSet> warm) {
    public RedisInstance(String name, Endpoint primary, List<Endpoint> replicas, Optional<Sentinel> sentinel, Optional<Secret> password) {
        this(name, primary, replicas, sentinel, password, java.util.Map.of());
    }
}
