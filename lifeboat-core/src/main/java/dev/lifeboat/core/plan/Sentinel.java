package dev.lifeboat.core.plan;

import java.util.List;

/** The Redis Sentinel group that watches a master: its master name, its nodes and the quorum. */
public record Sentinel(String masterName, List<Endpoint> nodes, int quorum) {
    public Sentinel {
        nodes = List.copyOf(nodes);
    }
}
