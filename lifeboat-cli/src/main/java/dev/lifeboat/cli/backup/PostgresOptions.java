package dev.lifeboat.cli.backup;

import dev.lifeboat.cli.Lifeboat;
import dev.lifeboat.cli.RepositoryAccess;
import dev.lifeboat.core.error.ErrorCode;
import dev.lifeboat.core.error.LifeboatException;
import dev.lifeboat.core.plan.PostgresCluster;
import dev.lifeboat.postgres.backup.PostgresTarget;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * Which PostgreSQL server to back up: a cluster of the plan ({@code --cluster}), or flags. Flags override the
 * plan's values. The password comes from the plan's secret source or {@code $PGPASSWORD}.
 */
public final class PostgresOptions {
    @Option(names = "--cluster", paramLabel = "NAME", description = "A PostgreSQL cluster of the plan (resources.postgres).")
    String cluster;

    @Option(names = "--host", paramLabel = "HOST", description = "Server host (default: the plan's primary, else 127.0.0.1).")
    String host;

    @Option(names = "--port", paramLabel = "PORT", description = "Server port (default: the plan's primary, else 5432).")
    Integer port;

    @Option(names = "--user", paramLabel = "ROLE", description = "Role with REPLICATION (default: the plan's user, else postgres).")
    String user;

    @Option(names = "--database", paramLabel = "DB", description = "Database to connect to (default: the plan's, else postgres).")
    String database;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "The server's data directory on this host (default: the plan's data-dir).")
    Path dataDir;

    /** The cluster's name for the snapshot (the plan's name, or --name). */
    String name(String explicit) {
        if (explicit != null) {
            return explicit;
        }
        if (cluster != null) {
            return cluster;
        }
        throw new LifeboatException(ErrorCode.USAGE, "no name for the backup", "Pass --cluster NAME from the plan, or --name NAME.");
    }

    PostgresTarget target(RepositoryAccess access) {
        Optional<PostgresCluster> planned = Optional.empty();
        if (cluster != null) {
            planned = Optional.of(access.plan().map(p -> p.resources().postgres().get(cluster)).orElseThrow(() -> new LifeboatException(
                    ErrorCode.USAGE, "no PostgreSQL cluster '" + cluster + "' in the plan",
                    "Define it under resources.postgres, or give --host, --port and --data-dir instead.")));
        }
        String h = host != null ? host : planned.map(c -> c.primary().host()).orElse("127.0.0.1");
        int p = port != null ? port : planned.map(c -> c.primary().port()).orElse(5432);
        String db = database != null ? database : planned.map(PostgresCluster::database).orElse("postgres");
        String role = user != null ? user : planned.map(PostgresCluster::user).orElse("postgres");
        Path dir = dataDir != null ? dataDir : planned.flatMap(PostgresCluster::dataDir).map(Path::of).orElseThrow(() ->
                new LifeboatException(ErrorCode.USAGE, "no data directory", "Pass --data-dir, or set data-dir on the cluster in the plan."));
        Optional<String> password = cluster != null ? access.postgresPassword(cluster)
                : Optional.ofNullable(Lifeboat.environment().get("PGPASSWORD"));
        return new PostgresTarget("jdbc:postgresql://" + (h.contains(":") ? "[" + h + "]" : h) + ":" + p + "/" + db, role, password, dir);
    }
}
