package dev.lifeboat.cli.failover;

import dev.lifeboat.cli.RepositoryAccess;
import dev.lifeboat.cli.output.Output;
import dev.lifeboat.core.error.ErrorCode;
import dev.lifeboat.core.error.LifeboatException;
import dev.lifeboat.core.plan.Endpoint;
import dev.lifeboat.core.plan.PostgresCluster;
import dev.lifeboat.core.time.Durations;
import dev.lifeboat.postgres.failover.PostgresFailover;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code lifeboat failover postgres}: the seed's database-failover.sh --to-replica (Runbook 1). */
@Command(name = "postgres", mixinStandardHelpOptions = true,
        description = {"Promote a streaming replica of a PostgreSQL cluster to primary.",
                "",
                "Checks that the replica is in recovery and how far behind it is (the expected data loss); fences the old "
                        + "primary if it still answers (default_transaction_read_only on, client sessions terminated); promotes "
                        + "with pg_promote and waits until the replica takes writes. Re-point the application afterwards (the "
                        + "demo's router does it for you). --dry-run only checks and reports."},
        footer = {"", "Exit status: 0 promoted (or checked); 95 the failover did not complete; 90 the replica does not answer."})
public final class FailoverPostgresCommand implements Callable<Integer> {
    @Mixin
    RepositoryAccess access;

    @Mixin
    Output output;

    @Option(names = "--cluster", required = true, paramLabel = "NAME", description = "A PostgreSQL cluster of the plan.")
    String cluster;

    @Option(names = "--to-replica", arity = "0..1", fallbackValue = "", paramLabel = "NAME",
            description = "The replica to promote (a name under the cluster's replicas; default: the first).")
    String toReplica;

    @Option(names = "--timeout", paramLabel = "DURATION", description = "How long promotion may take (default 60s).")
    String timeout = "60s";

    @Option(names = "--dry-run", description = "Check the replica and report; change nothing.")
    boolean dryRun;

    @Override
    public Integer call() {
        PostgresCluster c = access.postgres(cluster).orElseThrow(() -> new LifeboatException(ErrorCode.USAGE,
                "no PostgreSQL cluster '" + cluster + "' in the plan", "Define it under resources.postgres with its replicas."));
        if (c.replicas().isEmpty()) {
            throw new LifeboatException(ErrorCode.USAGE, "cluster '" + cluster + "' has no replicas in the plan", "List them under replicas.");
        }
        String name = toReplica == null || toReplica.isEmpty() ? c.replicas().keySet().iterator().next() : toReplica;
        Endpoint replicaAt = Optional.ofNullable(c.replicas().get(name)).orElseThrow(() -> new LifeboatException(ErrorCode.USAGE,
                "cluster '" + cluster + "' has no replica '" + name + "'", "Its replicas: " + c.replicas().keySet() + "."));
        Optional<String> password = access.postgresPassword(cluster);
        PostgresFailover.Server replica = server(name, replicaAt, c, password);
        PostgresFailover.Server primary = server(c.primary().toString(), c.primary(), c, password);
        PostgresFailover failover = new PostgresFailover(output::decision);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("dry_run", dryRun);
        m.put("cluster", cluster);
        m.put("replica", name);
        if (dryRun) {
            PostgresFailover.Check check = failover.check(replica, Optional.of(primary));
            m.put("check", json(check));
            output.emit(m, () -> String.format("Failover plan for %s (dry run: nothing changed)%n  promote   %s (%s), replayed to %s%n"
                            + "  behind    %d bytes%s%n  fence     %s, if it answers%nRun again without --dry-run to fail over.%n", cluster, name, replicaAt,
                    check.replayLsn(), check.lagBytes(), check.primaryLsn().map(l -> " of the primary's " + l).orElse(" (the primary does not answer)"),
                    c.primary()));
            return 0;
        }
        PostgresFailover.Result r = failover.run(replica, Optional.of(primary), Durations.parse(timeout));
        m.put("check", json(r.check()));
        m.put("fenced", r.fenced());
        m.put("fence", r.fenceNote());
        m.put("expected_data_loss_bytes", r.check().lagBytes());
        m.put("fence_ms", r.fenceMillis());
        m.put("promote_ms", r.promoteMillis());
        m.put("lsn", r.newTimelineLsn());
        output.emit(m, () -> String.format("Promoted %s (%s) of %s in %.2f s; it was %d bytes behind at the switch (expected data loss). %s.%n"
                        + "Re-point the application to %s.%n", name, replicaAt, cluster, (r.fenceMillis() + r.promoteMillis()) / 1000.0, r.check().lagBytes(),
                capitalize(r.fenceNote()), replicaAt));
        return 0;
    }

    private static Map<String, Object> json(PostgresFailover.Check c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("in_recovery", c.inRecovery());
        m.put("receive_lsn", c.receiveLsn());
        m.put("replay_lsn", c.replayLsn());
        m.put("primary_lsn", c.primaryLsn().orElse(null));
        m.put("lag_bytes", c.lagBytes());
        m.put("replay_delay_seconds", c.replayDelaySeconds().orElse(null));
        return m;
    }

    private static String capitalize(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    private static PostgresFailover.Server server(String name, Endpoint e, PostgresCluster c, Optional<String> password) {
        String h = e.host().contains(":") ? "[" + e.host() + "]" : e.host();
        return new PostgresFailover.Server(name, "jdbc:postgresql://" + h + ":" + e.port() + "/" + c.database(), c.user(), password);
    }
}
