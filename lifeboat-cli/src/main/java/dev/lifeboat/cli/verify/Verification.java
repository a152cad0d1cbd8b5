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
            for (Snapshot s : repo.snapshots().list()) {
                if ("postgres".equals(s.manifest().kind())) {
                    clusters.computeIfAbsent(s.manifest().name(), k -> new ArrayList<>()).add(s);
                }
            }
            List<Object> pgJson = new ArrayList<>();
            for (Map.Entry<String, List<Snapshot>> e : clusters.entrySet()) {
                String cluster = e.getKey();
                WalContinuity.Report r = WalContinuity.check(new WalArchive(repo, cluster), e.getValue(), Instant.now());
                Optional<Duration> target = access.plan().flatMap(p -> dev.lifeboat.core.plan.RpoTarget.of(p, cluster));
                checked.add(cluster + ": " + e.getValue().size() + " backup(s), " + r.segments() + " archived WAL segment(s)"
                        + r.newest().map(n -> " up to " + n).orElse("") + r.recoverableTo().map(l -> ", continuous to " + l).orElse("")
                        + r.newestAge().map(a -> ", newest WAL " + Durations.format(Duration.ofSeconds(a.getSeconds())) + " old").orElse("")
                        + target.map(t -> " (target " + Durations.format(t) + ")").orElse(""));
                for (WalContinuity.Gap g : r.gaps()) {
                    problems.add(cluster + ": " + g.describe() + "; backups " + String.join(", ", g.backups()) + " cannot be replayed past it");
                }
                if (r.newest().isEmpty()) {
                    problems.add(cluster + ": no WAL is archived, so only the backups' own end points are recoverable; is 'lifeboat agent' running?");
                }
                if (target.isPresent() && r.newestAge().isPresent() && r.newestAge().get().compareTo(target.get()) > 0) {
                    problems.add(cluster + ": the newest archived WAL is " + Durations.format(Duration.ofSeconds(r.newestAge().get().getSeconds()))
                            + " old, more than the RPO target " + Durations.format(target.get()));
                }
                Map<String, Object> m = new LinkedHashMap<>();
                if (full && r.ok()) {
                    String role = access.postgres(cluster).map(c -> c.user()).orElse("postgres");
                    Optional<String> password = access.postgresPassword(cluster);
                    Optional<java.nio.file.Path> bin = access.postgres(cluster).flatMap(c -> c.binDir()).map(java.nio.file.Path::of);
                    FullVerification.Result fr = new FullVerification(repo).run(cluster, role, password, bin, timeout, checked::add);
                    checked.add(cluster + ": restored backup " + fr.backup().substring(0, 8) + " with " + fr.walSegments()
                            + " WAL segment(s) into a scratch cluster, replayed and promoted in " + fr.took().toSeconds() + " s; pg_amcheck "
                            + (fr.amcheckOk() ? "found no corruption" : "FAILED") + "; last verified recovery point: " + fr.recoveryPoint());
                    if (!fr.amcheckOk()) {
                        problems.add(cluster + ": pg_amcheck on the restored copy reported: " + fr.amcheckOutput());
                    }
                    m.put("full", Map.of("backup", fr.backup(), "recovery_point", fr.recoveryPoint(), "lsn", fr.lsn(), "amcheck_ok", fr.amcheckOk(),
                            "seconds", fr.took().toMillis() / 1000.0));
                }
                m.put("cluster", cluster);
                m.put("backups", e.getValue().size());
                m.put("wal_segments", r.segments());
                m.put("newest_wal", r.newest().orElse(null));
                m.put("newest_wal_age_seconds", r.newestAge().map(Duration::getSeconds).orElse(null));
                m.put("continuous_to", r.recoverableTo().map(Object::toString).orElse(null));
                m.put("gaps", r.gaps());
                m.put("rpo_target_seconds", target.map(Duration::getSeconds).orElse(null));
                pgJson.add(m);
            }
            json.put("postgres", pgJson);
        }
        if (only.isEmpty() || only.get().equals("redis")) {
            json.put("redis", RedisFreshness.check(repo, access.plan(), Instant.now(), checked, problems));
        }
        json.put("checked", checked);
        json.put("problems", problems);
        json.put("ok", problems.isEmpty());
        return new Report(checked, problems, json);
    }
}
