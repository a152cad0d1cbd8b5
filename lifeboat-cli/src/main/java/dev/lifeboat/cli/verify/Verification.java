package dev.lifeboat.cli.verify;

import dev.lifeboat.cli.RepositoryAccess;
import dev.lifeboat.core.time.Durations;
import dev.lifeboat.postgres.check.FullVerification;
import dev.lifeboat.postgres.check.WalContinuity;
import dev.lifeboat.postgres.wal.WalArchive;
import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.Snapshot;
import dev.lifeboat.repository.check.Finding;
import dev.lifeboat.repository.check.RepositoryVerifier;
import dev.lifeboat.repository.check.VerifyReport;
import dev.lifeboat.repository.files.Progress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The seed's backup-verification.sh, for {@code lifeboat verify} and the agent's verify schedules: the repository's
 * structure, each PostgreSQL cluster's WAL continuity and freshness (and with {@code full}, a real restore, replay
 * and pg_amcheck in a scratch cluster), and each Redis instance's snapshot freshness. Says what it checked.
 */
public final class Verification {
    /** What was checked, each problem found, and the same as a JSON-ready map. */
    public record Report(List<String> checked, List<String> problems, Map<String, Object> json) {
        public boolean ok() {
            return problems.isEmpty();
        }
    }

    private Verification() {
    }

    /** {@code only}: postgres, redis or repository; {@code timeout}: for each scratch recovery and pg_amcheck. */
    public static Report run(RepositoryAccess access, Repository repo, boolean full, Optional<String> only, Duration timeout) {
        return run(access, repo, full, only, timeout, name -> true);
    }

    /** As above, for the PostgreSQL clusters and Redis instances {@code covers} accepts (a schedule's resources). */
    public static Report run(RepositoryAccess access, Repository repo, boolean full, Optional<String> only, Duration timeout,
                             java.util.function.Predicate<String> covers) {
        List<String> problems = new ArrayList<>();
        List<String> checked = new ArrayList<>();
        Map<String, Object> json = new LinkedHashMap<>();
        if (only.isEmpty() || only.get().equals("repository")) {
            VerifyReport r = new RepositoryVerifier(repo).run(false, Progress.NONE);
            checked.add("repository: " + r.snapshots() + " snapshot(s), " + r.indexes() + " index object(s), " + r.packs() + " pack(s), "
                    + r.blobs() + " chunk(s) present and authenticated");
            for (Finding f : r.problems()) {
                problems.add(f.object() + ": " + f.problem() + (f.snapshots().isEmpty() ? "" : " (snapshots " + String.join(", ", f.snapshots()) + ")"));
            }
            json.put("repository", r);
        }
        if (only.isEmpty() || only.get().equals("postgres")) {
            Map<String, List<Snapshot>> clusters = new TreeMap<>();
            // Every cluster of the plan, so one without any backup is a problem rather than left out of the report.
            access.plan().ifPresent(p -> p.resources().postgres().keySet().forEach(n -> clusters.put(n, new ArrayList<>())));
            for (Snapshot s : repo.snapshots().list()) {
                if ("postgres".equals(s.manifest().kind())) {
                    clusters.computeIfAbsent(s.manifest().name(), k -> new ArrayList<>()).add(s);
                }
            }
            List<Object> pgJson = new ArrayList<>();
            clusters.keySet().removeIf(covers.negate());
            for (Map.Entry<String, List<Snapshot>> e : clusters.entrySet()) {
                pgJson.add(cluster(access, repo, e.getKey(), e.getValue(), full, timeout, checked, problems));
            }
            json.put("postgres", pgJson);
        }
        if (only.isEmpty() || only.get().equals("redis")) {
            json.put("redis", RedisFreshness.check(repo, access.plan(), Instant.now(), covers, checked, problems));
        }
        json.put("checked", checked);
        json.put("problems", problems);
        json.put("ok", problems.isEmpty());
        return new Report(checked, problems, json);
    }

    private static Map<String, Object> cluster(RepositoryAccess access, Repository repo, String cluster, List<Snapshot> backups, boolean full,
                                               Duration timeout, List<String> checked, List<String> problems) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cluster", cluster);
        m.put("backups", backups.size());
        if (backups.isEmpty()) {
            problems.add(cluster + ": no base backup, so nothing of it can be recovered; take one with 'lifeboat backup postgres --cluster "
                    + cluster + "'");
            return m;
        }
        WalContinuity.Report r = WalContinuity.check(new WalArchive(repo, cluster), backups, Instant.now());
        // What the plan names in particular, else its overall RPO objective, as 'lifeboat status' judges it.
        Optional<Duration> target = access.plan().map(p -> dev.lifeboat.core.plan.RpoTarget.orObjective(p, cluster));
        checked.add(cluster + ": " + backups.size() + " backup(s), " + r.segments() + " archived WAL segment(s)"
                + r.newest().map(n -> " up to " + n).orElse("") + r.recoverableTo().map(l -> ", continuous to " + l).orElse("")
                + r.newestAge().map(a -> ", newest WAL " + Durations.format(Duration.ofSeconds(a.getSeconds())) + " old").orElse("")
                + target.map(t -> " (target " + Durations.format(t) + ")").orElse(""));
        for (WalContinuity.Gap g : r.gaps()) {
            problems.add(cluster + ": " + g.describe() + "; backups " + String.join(", ", g.backups()) + " cannot be replayed past it");
        }
        if (!r.offHistory().isEmpty()) {
            String which = "backup(s) " + String.join(", ", r.offHistory()) + " of " + cluster + " are on a timeline that branched away from timeline "
                    + r.timeline() + ", the newest archived one, so recovery along it cannot start from them";
            if (r.newest().isPresent() && r.recoverableTo().isEmpty()) {
                problems.add(cluster + ": every " + which + "; take a new backup with 'lifeboat backup postgres --cluster " + cluster + "'");
            } else {
                checked.add(cluster + ": " + which);
            }
        }
        if (r.newest().isEmpty()) {
            problems.add(cluster + ": no WAL is archived, so only the backups' own end points are recoverable; is 'lifeboat agent' running?");
        }
        if (target.isPresent() && r.newestAge().isPresent() && r.newestAge().get().compareTo(target.get()) > 0) {
            problems.add(cluster + ": the newest archived WAL is " + Durations.format(Duration.ofSeconds(r.newestAge().get().getSeconds()))
                    + " old, more than the RPO target " + Durations.format(target.get()));
        }
        if (full) {
            m.put("full", full(access, repo, cluster, r, timeout, checked, problems));
        }
        m.put("wal_segments", r.segments());
        m.put("newest_wal", r.newest().orElse(null));
        m.put("newest_wal_age_seconds", r.newestAge().map(Duration::getSeconds).orElse(null));
        m.put("continuous_to", r.recoverableTo().map(Object::toString).orElse(null));
        m.put("gaps", r.gaps());
        m.put("off_history", r.offHistory());
        m.put("rpo_target_seconds", target.map(Duration::getSeconds).orElse(null));
        return m;
    }

    /** The restore for real; a failure of any step is a problem of this cluster, and the other checks still run. */
    private static Map<String, Object> full(RepositoryAccess access, Repository repo, String cluster, WalContinuity.Report quick, Duration timeout,
                                            List<String> checked, List<String> problems) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (quick.newest().isEmpty() || !quick.ok()) {
            String why = quick.newest().isEmpty() ? "no WAL is archived" : !quick.gaps().isEmpty() ? "the archived WAL has a gap"
                    : "no backup is on the newest timeline's history";
            checked.add(cluster + ": full check skipped: " + why + " (above)");
            m.put("skipped", why);
            return m;
        }
        String role = access.postgres(cluster).map(c -> c.user()).orElse("postgres");
        Optional<String> password = access.postgresPassword(cluster);
        Optional<java.nio.file.Path> bin = access.postgres(cluster).flatMap(c -> c.binDir()).map(java.nio.file.Path::of);
        FullVerification.Result fr;
        try {
            fr = new FullVerification(repo).run(cluster, role, password, bin, timeout, checked::add);
        } catch (dev.lifeboat.core.error.LifeboatException e) {
            problems.add(cluster + ": the scratch recovery failed [" + e.code().label() + "]: " + e.getMessage()
                    + (e.hint() == null ? "" : " " + e.hint()));
            m.put("error", Map.of("code", e.code().label(), "message", e.getMessage()));
            return m;
        }
        boolean replayed = fr.replayShortfall().isEmpty();
        checked.add(cluster + ": restored backup " + fr.backup().substring(0, 8) + " with " + fr.walSegments()
                + " WAL segment(s) into a scratch cluster, replayed and promoted in " + fr.took().toSeconds() + " s; "
                + (replayed ? "replay reached the end of the archived WAL" : "replay stopped short") + "; " + fr.method().description()
                + (fr.amcheckOk() ? " found no corruption" : " FAILED") + "; "
                + (fr.ok() ? "last verified recovery point: " : "recovery point reached (not recorded as verified): ") + fr.recoveryPoint());
        if (!replayed) {
            problems.add(cluster + ": " + fr.replayShortfall());
        }
        if (!fr.amcheckOk()) {
            List<String> lines = fr.amcheckOutput().lines().toList();
            problems.add(cluster + ": " + fr.method().tool() + " on the restored copy reported: " + String.join("\n  ", lines.subList(0, Math.min(20, lines.size())))
                    + (lines.size() > 20 ? "\n  … " + (lines.size() - 20) + " more line(s): 'lifeboat backups list --json' keeps the output (verification_failed)" : ""));
        }
        m.put("backup", fr.backup());
        m.put("recovery_point", fr.recoveryPoint());
        m.put("lsn", fr.lsn());
        m.put("replay_complete", replayed);
        m.put("amcheck_ok", fr.amcheckOk());
        m.put("amcheck_method", fr.method().tool());
        m.put("verified", fr.ok());
        m.put("seconds", fr.took().toMillis() / 1000.0);
        return m;
    }
}
