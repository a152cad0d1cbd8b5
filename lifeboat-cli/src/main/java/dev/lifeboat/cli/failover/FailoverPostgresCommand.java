package dev.lifeboat.cli.failover;

import dev.lifeboat.cli.PlanAccess;
import dev.lifeboat.cli.output.Output;
import dev.lifeboat.core.error.ErrorCode;
import dev.lifeboat.core.error.LifeboatException;
import dev.lifeboat.core.plan.Endpoint;
import dev.lifeboat.core.plan.PostgresCluster;
import dev.lifeboat.core.plan.RePoint;
import dev.lifeboat.core.time.Durations;
import dev.lifeboat.postgres.failover.PostgresFailover;
import dev.lifeboat.postgres.failover.RePointCommand;
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
                        + "with pg_promote and waits until the replica takes writes. Then, when the cluster has a 're-point' "
                        + "command in the plan, it runs it with the new primary's address in LIFEBOAT_NEW_PRIMARY_HOST and "
                        + "LIFEBOAT_NEW_PRIMARY_PORT so the application follows (reload pgbouncer, patch a Kubernetes Service, "
                        + "update DNS); without one, re-point the application yourself. A re-point program that is missing or "
                        + "not executable stops the failover before anything changes. --dry-run only checks and reports."},
        footer = {"", "Exit status: 0 promoted (or checked) and re-pointed; 97 promoted, but the re-point command failed: re-point by "
                + "hand now; 99 the re-point command cannot run, so nothing was changed; 95 the failover did not complete; 90 the replica does not answer."})
public final class FailoverPostgresCommand implements Callable<Integer> {
    @Mixin
    PlanAccess access;

    @Mixin
    Output output;

    @Option(names = "--cluster", required = true, paramLabel = "NAME", description = "A PostgreSQL cluster of the plan.")
    String cluster;

    @Option(names = "--to-replica", arity = "0..1", fallbackValue = "", paramLabel = "NAME",
            description = "The replica to promote (a name under the cluster's replicas; default: the first).")
    String toReplica;

    @Option(names = "--timeout", paramLabel = "DURATION", description = "How long promotion may take (default 60s).")
    String timeout = "60s";

    @Option(names = "--dry-run", description = "Check the replica and the re-point command and report; change nothing.")
    boolean dryRun;

    @Option(names = "--no-re-point", description = "Do not run the cluster's re-point command (you re-point the application yourself).")
    boolean noRePoint;

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
        Optional<RePoint> rePoint = noRePoint ? Optional.empty() : c.rePoint();
        Optional<String> rePointProblem = rePoint.flatMap(RePointCommand::problem);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("dry_run", dryRun);
        m.put("cluster", cluster);
        m.put("replica", name);
        if (dryRun) {
            PostgresFailover.Check check = failover.check(replica, Optional.of(primary));
            m.put("check", json(check));
            Map<String, Object> rp = new LinkedHashMap<>();
            rp.put("command", rePoint.map(RePoint::command).orElse(null));
            rp.put("problem", rePointProblem.orElse(null));
            m.put("re_point", rp);
            output.emit(m, () -> String.format("Failover plan for %s (dry run: nothing changed)%n  promote   %s (%s), replayed to %s%n"
                            + "  behind    %d bytes%s%n  fence     %s, if it answers%n  re-point  %s%n%s", cluster, name, replicaAt,
                    check.replayLsn(), check.lagBytes(), check.primaryLsn().map(l -> " of the primary's " + l).orElse(" (the primary does not answer)"),
                    c.primary(), rePoint.map(r -> "run " + String.join(" ", r.command()) + " (time limit " + Durations.format(r.timeout()) + ")"
                            + rePointProblem.map(p -> ": CANNOT RUN, " + p).orElse("")).orElse("nothing configured: point the application at "
                            + replicaAt + " yourself"),
                    rePointProblem.isPresent() ? "Fix the re-point command before failing over.\n" : "Run again without --dry-run to fail over.\n"));
            return rePointProblem.isPresent() ? ErrorCode.REPOINT_NOT_READY.exitStatus() : 0;
        }
        if (rePointProblem.isPresent()) {
            throw new LifeboatException(ErrorCode.REPOINT_NOT_READY, "nothing changed: " + rePointProblem.get(),
                    "Fix the cluster's re-point command in the plan, or fail over with --no-re-point and point the application at "
                            + replicaAt + " yourself.");
        }
        PostgresFailover.Result r = failover.run(replica, Optional.of(primary), Durations.parse(timeout));
        m.put("check", json(r.check()));
        m.put("fenced", r.fenced());
        m.put("fence", r.fenceNote());
        m.put("expected_data_loss_bytes", r.check().lagBytes());
        m.put("fence_ms", r.fenceMillis());
        m.put("promote_ms", r.promoteMillis());
        m.put("lsn", r.newTimelineLsn());
        Optional<RePointCommand.Outcome> moved = rePoint.map(rp -> {
            output.decision("running the re-point command " + String.join(" ", rp.command()) + " so the application follows "
                    + name + " (the cluster's re-point in the plan)");
            return RePointCommand.run(rp, RePointCommand.environment(cluster, name, replicaAt, c.primary()));
        });
        m.put("re_point", moved.map(FailoverPostgresCommand::json).orElse(null));
        String promoted = String.format("Promoted %s (%s) of %s in %.2f s; %s. %s.%n",
                name, replicaAt, cluster, (r.fenceMillis() + r.promoteMillis()) / 1000.0, r.check().primaryLsn().isPresent()
                        ? "it was " + r.check().lagBytes() + " bytes behind the primary at the switch (expected data loss)"
                        : "it had " + r.check().lagBytes() + " bytes received but not replayed, replayed before promotion (the primary did not "
                                + "answer: what it never sent cannot be measured)", capitalize(r.fenceNote()));
        output.emit(m, () -> promoted + moved.map(o -> o.succeeded()
                ? "Re-pointed the application: " + o.describe() + ".\n"
                : "RE-POINT FAILED: " + o.describe() + ". Point the application at " + replicaAt + " by hand now.\n"
                        + (o.output().isBlank() ? "" : "  | " + o.output().replace("\n", "\n  | ") + "\n"))
                .orElse("Re-point the application to " + replicaAt + " (the cluster has no re-point command in the plan).\n"));
        return moved.map(o -> o.succeeded() ? 0 : ErrorCode.REPOINT_FAILED.exitStatus()).orElse(0);
    }

    private static Map<String, Object> json(RePointCommand.Outcome o) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("command", o.command());
        m.put("succeeded", o.succeeded());
        m.put("exit_status", o.exitStatus());
        m.put("timed_out", o.timedOut());
        m.put("ms", o.millis());
        m.put("output", o.output());
        return m;
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
        return new PostgresFailover.Server(name, PostgresCluster.jdbcUrl(e, c.database()), c.user(), password);
    }
}
