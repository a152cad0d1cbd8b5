package dev.lifeboat.postgres.backup;

import java.nio.file.Path;
import java.util.Optional;

/**
 * How to reach a running PostgreSQL server and its data directory on this host.
 *
 * @param jdbcUrl  e.g. {@code jdbc:postgresql://127.0.0.1:5432/postgres}
 * @param user     a role with REPLICATION (for the WAL slot) and the right to run the backup functions
 * @param password the role's password, if the server asks for one
 * @param dataDir  the server's data directory, readable by this process
 */
public record PostgresTarget(String jdbcUrl, String user, Optional<String> password, Path dataDir) {
    @Override
    public String toString() {
        return "PostgresTarget[" + jdbcUrl + ", " + user + ", " + dataDir + "]";
    }
}
