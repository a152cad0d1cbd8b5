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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
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
                "Checks that the replica is in recovery and how far behind it is; fences the old primary if it still "
                        + "answers (default_transaction_read_only on, client sessions terminated) and waits until the replica has "
                        + "received all of its WAL, so no commit is lost; promotes with pg_promote and waits until the replica "
                        + "takes writes. A primary that answers but cannot be fenced, or a replica that does not catch up within "
                        + "--timeout, stops the failover before anything is promoted (--force accepts either). Without "
                        + "--to-replica, the replica that has received the most WAL is chosen. Then, when the cluster has a 're-point' "
                        + "command in the plan, it runs it with the new primary's address in LIFEBOAT_NEW_PRIMARY_HOST and "
                        + "LIFEBOAT_NEW_PRIMARY_PORT so the application follows (reload pgbouncer, patch a Kubernetes Service, "
                        + "update DNS); without one, re-point the application yourself. A re-point program that is missing or "
                        + "not executable stops the failover before anything changes. --dry-run only checks and reports."},
        footer = {"", "Exit status: 0 promoted (or checked, and the failover could go ahead) and re-pointed; 97 promoted, but the re-point command failed: re-point by "
                + "hand now; 99 the re-point command cannot run, so nothing was changed; 95 the failover did not complete (nothing is promoted when the old "
                + "primary answers but cannot be fenced, the role may not promote, or the replica does not catch up with it), or with --dry-run would "
                + "not; 90 the replica does not answer."})
public final class FailoverPostgresCommand implements Callable<Integer> {
    @Mixin
    PlanAccess access;

    @Mixin
    Output output;

    @Option(names = "--cluster", required = true, paramLabel = "NAME", description = "A PostgreSQL cluster of the plan.")
    String cluster;

    @Option(names = "--to-replica", arity = "0..1", fallbackValue = "", paramLabel = "NAME",
            description = "The replica to promote (a name under the cluster's replicas; default: the one that has received the most WAL).")
    String toReplica;

    @Option(names = "--force", description = "Promote even when the old primary answers but cannot be fenced (you have stopped it "
            + "or cut it off), or the replica has not received all of its WAL within --timeout (you accept losing those commits).")
    boolean force;

    @Option(names = "--timeout", paramLabel = "DURATION", description = "How long catching up, and then promotion, may each take (default 60s).")
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
        Optional<String> password = access.postgresPassword(cluster);
        PostgresFailover failover = new PostgresFailover(output::decision, force);
        PostgresFailover.Server primary = server(c.primary().toString(), c.primary(), c, password);
        String name = toReplica == null || toReplica.isEmpty() ? mostAdvanced(c, password, failover, primary) : toReplica;
        Endpoint replicaAt = Optional.ofNullable(c.replicas().get(name)).orElseThrow(() -> new LifeboatException(ErrorCode.USAGE,
                "cluster '" + cluster + "' has no replica '" + name + "'", "Its replicas: " + c.replicas().keySet() + "."));
        PostgresFailover.Server replica = server(name, replicaAt, c, password);
        Optional<RePoint> rePoint = noRePoint ? Optional.empty() : c.rePoint();
        Optional<String> rePointProblem = rePoint.flatMap(RePointCommand::problem);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("dry_run", dryRun);
        m.put("cluster", cluster);
        m.put("replica", name);
        if (dryRun) {
            PostgresFailover.Check check = failover.check(replica, Optional.of(primary));
            Optional<String> fenceProblem = failover.fenceProblem(primary);
            m.put("check", json(check));
            m.put("fence_problem", fenceProblem.orElse(null));
            m.put("promote_problem", check.promoteProblem().orElse(null));
            Map<String, Object> rp = new LinkedHashMap<>();
            rp.put("command", rePoint.map(RePoint::command).orElse(null));
            rp.put("problem", rePointProblem.orElse(null));
            m.put("re_point", rp);
            output.emit(m, () -> String.format("Failover plan for %s (dry run: nothing changed)%n  promote   %s (%s), %s, received %s, replayed to %s%n"
                            + "  behind    %d bytes%s%n  fence     %s, if it answers%s%n  re-point  %s%n%s", cluster, name, replicaAt
                            + check.promoteProblem().map(p -> ": CANNOT PROMOTE, " + p).orElse(""),
                    check.receiverStatus().map(st -> "WAL receiver " + st).orElse("no WAL receiver"), check.receiveLsn(),
                    check.replayLsn(), check.lagBytes(), check.primaryLsn().map(l -> " of the primary's " + l).orElse(" (the primary does not answer)"),
                    c.primary(), fenceProblem.map(p -> ": CANNOT FENCE, " + p).orElse(""), rePoint.map(r -> "run " + String.join(" ", r.command()) + " (time limit " + Durations.format(r.timeout()) + ")"
                            + rePointProblem.map(p -> ": CANNOT RUN, " + p).orElse("")).orElse("nothing configured: point the application at "
                            + replicaAt + " yourself"),
                    rePointProblem.isPresent() ? "Fix the re-point command before failing over.\n"
                            : check.promoteProblem().isPresent() || fenceProblem.isPresent() ? "Fix the role's privileges first: the failover would stop.\n"
                            : "Run again without --dry-run to fail over.\n"));
            if (rePointProblem.isPresent()) {
                return ErrorCode.REPOINT_NOT_READY.exitStatus();
            }
            // A runbook gating on the dry run must not go ahead into a failover that would stop.
            return check.promoteProblem().isPresent() || fenceProblem.isPresent() ? ErrorCode.FAILOVER_FAILED.exitStatus() : 0;
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
        m.put("lost_bytes", r.lossBytes().orElse(null));
        m.put("fence_ms", r.fenceMillis());
        m.put("catch_up_ms", r.catchUpMillis());
        m.put("promote_ms", r.promoteMillis());
        m.put("lsn", r.newTimelineLsn());
        Optional<RePointCommand.Outcome> moved = rePoint.map(rp -> {
            output.decision("running the re-point command " + String.join(" ", rp.command()) + " so the application follows "
                    + name + " (the cluster's re-point in the plan)");
            return RePointCommand.run(rp, RePointCommand.environment(cluster, name, replicaAt, c.primary()));
        });
        m.put("re_point", moved.map(FailoverPostgresCommand::json).orElse(null));
        String promoted = String.format("Promoted %s (%s) of %s in %.2f s; %s. %s.%n",
                name, replicaAt, cluster, (r.fenceMillis() + r.catchUpMillis() + r.promoteMillis()) / 1000.0, r.lossBytes()
                        .map(lost -> lost == 0 ? "it had received all of the fenced primary's WAL: no commit lost"
                                : "it lacked the last " + lost + " bytes of the fenced primary's WAL (--force): the commits in them are lost")
                        .orElse("it had " + r.check().lagBytes() + " bytes received but not replayed, replayed before promotion (the old primary "
                                + "was not fenced: what it never sent cannot be measured)"), capitalize(r.fenceNote()));
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

    /**
     * The replica that has received the most WAL, of those that answer and are in recovery: promoting another would
     * lose what only it received. Said on the timeline when there is a choice.
     */
    private String mostAdvanced(PostgresCluster c, Optional<String> password, PostgresFailover failover, PostgresFailover.Server primary) {
        if (c.replicas().size() == 1) {
            return c.replicas().keySet().iterator().next();
        }
        String best = null;
        dev.lifeboat.postgres.wal.Lsn bestLsn = null;
        List<String> seen = new ArrayList<>();
        java.util.Set<String> systems = new java.util.TreeSet<>();
        LifeboatException last = null;
        // Probed once: a primary that does not answer (the usual failover) must not cost each replica's check a timeout.
        Optional<PostgresFailover.Server> answering = failover.answers(primary) ? Optional.of(primary) : Optional.empty();
        for (Map.Entry<String, Endpoint> e : c.replicas().entrySet()) {
            try {
                // Checked against the primary when it answers: a replica of another cluster is not a candidate.
                PostgresFailover.Check check = failover.check(server(e.getKey(), e.getValue(), c, password), answering);
                check.systemId().ifPresent(systems::add);
                dev.lifeboat.postgres.wal.Lsn received = dev.lifeboat.postgres.wal.Lsn.parse(check.receiveLsn());
                seen.add(e.getKey() + " " + check.receiveLsn());
                if (bestLsn == null || received.isAfter(bestLsn)) {
                    best = e.getKey();
                    bestLsn = received;
                }
            } catch (LifeboatException ex) {
                seen.add(e.getKey() + " not usable (" + ex.getMessage() + ")");
                last = ex;
            }
        }
        if (best == null) {
            throw last;
        }
        if (systems.size() > 1) {
            // The primary does not answer, so which cluster is the real one cannot be told here: no guess.
            throw new LifeboatException(ErrorCode.FAILOVER_FAILED, "nothing changed: the replicas of " + c.primary() + " belong to different "
                    + "database systems (" + String.join(", ", systems) + "; " + String.join(", ", seen) + ")",
                    "Name the replica to promote with --to-replica, after checking which belongs to the cluster.");
        }
        output.decision("chose " + best + ": it has received the most WAL of the replicas (" + String.join(", ", seen) + ")");
        return best;
    }

    private static Map<String, Object> json(PostgresFailover.Check c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("in_recovery", c.inRecovery());
        m.put("receive_lsn", c.receiveLsn());
        m.put("replay_lsn", c.replayLsn());
        m.put("primary_lsn", c.primaryLsn().orElse(null));
        m.put("lag_bytes", c.lagBytes());
        m.put("replay_delay_seconds", c.replayDelaySeconds().orElse(null));
        m.put("receiver_status", c.receiverStatus().orElse(null));
        return m;
    }

    private static String capitalize(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    private static PostgresFailover.Server server(String name, Endpoint e, PostgresCluster c, Optional<String> password) {
        return new PostgresFailover.Server(name, PostgresCluster.jdbcUrl(e, c.database()), c.user(), password);
    }
}
