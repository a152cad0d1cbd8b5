package dev.lifeboat.core.plan;

import java.util.Optional;

/**
 * Where the agent streams a cluster's WAL from: the primary, unless the cluster's {@code wal} schedule says
 * {@code options: {from: REPLICA}}, naming one of the cluster's replicas. Streaming from a standby spares the
 * primary a walsender and keeps the slot's retained WAL on the standby; the price is that WAL the standby has not
 * received yet is not protected, so the recovery point also trails by the standby's own lag.
 *
 * @param replica the replica's name, empty for the primary
 */
public record WalSource(String cluster, Optional<String> replica, Endpoint endpoint) {
    /** The schedule option that names the replica. */
    public static final String OPTION = "from";

    /**
     * The source for {@code cluster} under {@code plan}: the {@code from} option of the first {@code wal} schedule
     * covering it, else the primary. A plan that passed {@code plan check} names only defined replicas.
     *
     * @throws IllegalArgumentException when the option names no replica of the cluster
     */
    public static WalSource of(Plan plan, String cluster) {
        PostgresCluster c = plan.resources().postgres().get(cluster);
        if (c == null) {
            throw new IllegalArgumentException("no PostgreSQL cluster '" + cluster + "' in the plan");
        }
        Optional<String> from = plan.schedules().values().stream()
                .filter(s -> s.job() == Job.WAL && s.resources().contains(cluster))
                .map(s -> s.options().get(OPTION)).filter(java.util.Objects::nonNull).findFirst();
        if (from.isEmpty()) {
            return new WalSource(cluster, Optional.empty(), c.primary());
        }
        Endpoint at = c.replicas().get(from.get());
        if (at == null) {
            throw new IllegalArgumentException("cluster '" + cluster + "' has no replica '" + from.get() + "'");
        }
        return new WalSource(cluster, from, at);
    }

    /**
     * The cluster's servers other than this source, named for messages ("the primary (host:port)", "replica NAME
     * (host:port)"): where a slot of the agent's may be left from streaming there before.
     */
    public java.util.Map<String, Endpoint> otherServers(PostgresCluster c) {
        java.util.Map<String, Endpoint> others = new java.util.LinkedHashMap<>();
        if (standby()) {
            others.put("the primary (" + c.primary() + ")", c.primary());
        }
        c.replicas().forEach((name, at) -> {
            if (!replica.equals(Optional.of(name))) {
                others.put("replica " + name + " (" + at + ")", at);
            }
        });
        return others;
    }

    public boolean standby() {
        return replica.isPresent();
    }

    /** "the primary (host:port)" or "replica NAME (host:port)", for messages. */
    public String describe() {
        return replica.map(r -> "replica " + r + " (" + endpoint + ")").orElse("the primary (" + endpoint + ")");
    }
}
