package dev.lifeboat.core.plan;

import java.util.Map;
import java.util.Optional;

/**
 * A PostgreSQL cluster: its primary, its named streaming replicas, how Lifeboat connects, and how the application is
 * re-pointed after a failover (none: the operator does it).
 */
public record PostgresCluster(String name, Endpoint primary, Map<String, Endpoint> replicas, Optional<String> dataDir,
                              Optional<String> binDir, String database, String user, Optional<Secret> password,
                              Optional<RePoint> rePoint) {
    /** The JDBC URL of the primary's {@link #database()}. */
    public String jdbcUrl() {
        return jdbcUrl(primary, database);
    }

    /** The JDBC URL of {@code database} on the server at {@code at} (an IPv6 address in brackets). */
    public static String jdbcUrl(Endpoint at, String database) {
        String host = at.host().contains(":") ? "[" + at.host() + "]" : at.host();
        return "jdbc:postgresql://" + host + ":" + at.port() + "/" + database;
    }
}
