package dev.lifeboat.cli.repo;

import dev.lifeboat.core.plan.KeepPolicy;
import dev.lifeboat.core.plan.Plan;
import dev.lifeboat.postgres.wal.Lsn;
import dev.lifeboat.postgres.wal.WalArchive;
import dev.lifeboat.postgres.wal.WalRetention;
import dev.lifeboat.postgres.wal.WalSegment;
import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.lock.RepositoryLock;
import dev.lifeboat.repository.prune.PrunePlan;
import dev.lifeboat.repository.prune.Pruner;
import dev.lifeboat.repository.retention.Decision;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Applies keep policies to a repository, for {@code repo prune} and the agent's prune schedules: forgets the
 * snapshots no rule keeps, deletes the data only they used, and deletes each PostgreSQL cluster's archived WAL from
 * before the start of its oldest kept base backup ({@link WalRetention}), so the recovery window is exactly what the
 * kept backups reach. The newest backup the newest timeline can be replayed from is always kept. Takes the
 * repository's exclusive lock: no backup runs meanwhile.
 */
public final class RetentionRun {
    /**
     * @param plan    every snapshot's decision and the objects to delete
     * @param deleted the objects deleted (empty on a dry run)
     * @param wal     per cluster, the WAL objects deleted (or that would be)
     */
    /** {@code retentionExtended}: objects still in use whose Object Lock retention the prune extended (0 where none is locked). */
    public record Outcome(PrunePlan plan, List<String> deleted, Map<String, List<String>> wal, int retentionExtended) {
    }

    private RetentionRun() {
    }

    /** The plan's keep policy for a snapshot name: the union of the data classes stored in that resource. */
    public static Function<String, Optional<KeepPolicy>> planPolicies(Plan plan) {
        return name -> KeepOptions.forResource(plan, name);
    }

    public static Outcome apply(Repository repo, Function<String, Optional<KeepPolicy>> policies, boolean dryRun, String holder) {
        Clock clock = Clock.systemUTC();
        try (RepositoryLock lock = repo.lockExclusive(holder)) {
            Pruner pruner = new Pruner(repo, clock);
            PrunePlan plan = pruner.plan(policies, (name, decisions) -> keepTimelineStart(repo, decisions));
            List<String> deleted = dryRun ? List.of() : pruner.execute(plan);
            Map<String, List<String>> wal = walToDelete(repo, plan);
            if (!dryRun) {
                wal.forEach((cluster, objects) -> new WalArchive(repo, cluster).delete(objects));
            }
            return new Outcome(plan, deleted, wal, dryRun ? 0 : pruner.retentionExtended());
        }
    }

    /** For a PostgreSQL cluster's decisions, {@link WalRetention#keepTimelineStart} along its newest timeline. */
    static List<Decision> keepTimelineStart(Repository repo, List<Decision> decisions) {
        if (decisions.isEmpty() || !"postgres".equals(decisions.get(0).snapshot().manifest().kind())
                || !decisions.get(0).snapshot().manifest().labels().containsKey("wal_segment_size")) {
            return decisions;
        }
        long segmentSize = Long.parseLong(decisions.get(0).snapshot().manifest().labels().get("wal_segment_size"));
        return WalRetention.keepTimelineStart(dev.lifeboat.postgres.wal.WalChain.of(new WalArchive(repo, decisions.get(0).snapshot().manifest().name()),
                segmentSize), decisions);
    }

    /**
     * Per PostgreSQL cluster, the archived WAL before the start of its oldest kept base backup ({@link WalRetention}):
     * the recovery window is what the kept backups reach.
     */
    static Map<String, List<String>> walToDelete(Repository repo, PrunePlan plan) {
        Map<String, List<WalSegment>> keptStarts = new java.util.TreeMap<>();
        Map<String, Long> segmentSizes = new LinkedHashMap<>();
        for (Decision d : plan.decisions()) {
            Map<String, String> l = d.snapshot().manifest().labels();
            if (!"postgres".equals(d.snapshot().manifest().kind()) || !l.containsKey("start_lsn")) {
                continue;
            }
            String cluster = d.snapshot().manifest().name();
            long size = Long.parseLong(l.get("wal_segment_size"));
            segmentSizes.put(cluster, size);
            keptStarts.computeIfAbsent(cluster, k -> new ArrayList<>());
            if (d.keep()) {
                keptStarts.get(cluster).add(WalSegment.of(Integer.parseInt(l.get("timeline")), Lsn.parse(l.get("start_lsn")), size));
            }
        }
        Map<String, List<String>> out = new java.util.TreeMap<>();
        keptStarts.forEach((cluster, starts) -> {
            List<String> expired = WalRetention.expired(new WalArchive(repo, cluster).objects(segmentSizes.get(cluster)), starts);
            if (!expired.isEmpty()) {
                out.put(cluster, expired);
            }
        });
        return out;
    }
}
