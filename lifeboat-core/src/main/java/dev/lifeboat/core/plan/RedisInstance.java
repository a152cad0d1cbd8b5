package dev.lifeboat.core.plan;

import java.util.List;
import java.util.Optional;

/** A Redis primary with its replicas and, optionally, the Sentinel group that fails it over. */
public record RedisInstance(String name, Endpoint primary, List<Endpoint> replicas, Optional<Sentinel> sentinel,
                            Optional<Secret> password) {
}
