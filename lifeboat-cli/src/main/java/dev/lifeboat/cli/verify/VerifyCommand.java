package dev.lifeboat.cli.verify;

import dev.lifeboat.cli.RepositoryAccess;
import dev.lifeboat.cli.output.Output;
import dev.lifeboat.core.error.ErrorCode;
import dev.lifeboat.core.error.LifeboatException;
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
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code lifeboat verify --quick}: the seed's backup-verification.sh --quick. */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Verify that the backups can deliver the plan's recovery points.",
                "",
                "--quick checks the repository's structure (every snapshot and index opens, every chunk a snapshot needs "
                        + "is indexed and its pack present), WAL continuity for each PostgreSQL cluster (from every backup to the "
                        + "newest archived segment, naming any gap and the backups it breaks) and freshness (the age of the "
                        + "newest archived WAL against the tightest RPO of what depends on the cluster), and for each Redis instance "
                        + "the age of its newest snapshot against the same kind of target. The report says what was "
                        + "checked. --full also restores each cluster's newest backup with all archived WAL into a scratch cluster on "
                        + "a free loopback port, lets it replay and promote, runs pg_amcheck over every database, records the last "
                        + "verified recovery point in the repository, and deletes the scratch cluster."},
        footer = {"", "Exit status: 0 everything verifies; 80 a problem was found (verify-failed)."})
public final class VerifyCommand implements Callable<Integer> {
    @Mixin
    RepositoryAccess access;

    @Mixin
    Output output;

    @Option(names = "--quick", description = "Structure, WAL continuity and freshness (the default).")
    boolean quick;

    @Option(names = "--full", description = "Also restore each cluster's newest backup for real and run pg_amcheck on it.")
    boolean full;

    @Option(names = "--timeout", paramLabel = "DURATION", description = "Limit for each scratch recovery and pg_amcheck (default 30m).")
    String timeout = "30m";

    @Option(names = "--only", paramLabel = "KIND", description = "Only 'postgres', 'redis' or 'repository'.")
    String only;

    @Override
    public Integer call() {
        if (only != null && !List.of("postgres", "redis", "repository").contains(only)) {
            throw new LifeboatException(ErrorCode.USAGE, "--only takes postgres, redis or repository, not '" + only + "'", null);
        }
        Repository repo = access.open();
        List<String> problems = new ArrayList<>();
        List<String> checked = new ArrayList<>();
        Map<String, Object> json = new LinkedHashMap<>();
        if (only == null || only.equals("repository")) {
            VerifyReport r = new RepositoryVerifier(repo).run(false, Progress.NONE);
            checked.add("repository: " + r.snapshots() + " snapshot(s), " + r.indexes() + " index object(s), " + r.packs() + " pack(s), "
                    + r.blobs() + " chunk(s) present and authenticated");
            for (Finding f : r.problems()) {
                problems.add(f.object() + ": " + f.problem() + (f.snapshots().isEmpty() ? "" : " (snapshots " + String.join(", ", f.snapshots()) + ")"));
            }
            json.put("repository", r);
        }
        if (only == null || only.equals("postgres")) {
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
                    FullVerification.Result fr = new FullVerification(repo).run(cluster, role, password, bin, Durations.parse(timeout));
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
        if (only == null || only.equals("redis")) {
            json.put("redis", RedisFreshness.check(repo, access.plan(), Instant.now(), checked, problems));
        }
        json.put("checked", checked);
        json.put("problems", problems);
        json.put("ok", problems.isEmpty());
        output.emit(json, () -> {
            StringBuilder b = new StringBuilder(full ? "Checked (full):\n" : "Checked (quick):\n");
            checked.forEach(c -> b.append("  ").append(c).append('\n'));
            problems.forEach(p -> b.append("PROBLEM ").append(p).append('\n'));
            b.append(problems.isEmpty() ? "Everything verifies.\n" : problems.size() + " problem(s) [" + ErrorCode.VERIFY_FAILED.label() + "].\n");
            return b.toString();
        });
        return problems.isEmpty() ? 0 : ErrorCode.VERIFY_FAILED.exitStatus();
    }
}
