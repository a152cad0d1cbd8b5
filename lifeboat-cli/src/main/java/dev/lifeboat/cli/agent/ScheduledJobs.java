package dev.lifeboat.cli.agent;

import dev.lifeboat.cli.RepositoryAccess;
import dev.lifeboat.cli.repo.RetentionRun;
import dev.lifeboat.cli.verify.Verification;
import dev.lifeboat.core.plan.Job;
import dev.lifeboat.core.plan.Plan;
import dev.lifeboat.core.plan.PostgresCluster;
import dev.lifeboat.core.plan.RedisInstance;
import dev.lifeboat.core.plan.Schedule;
import dev.lifeboat.postgres.backup.BaseBackup;
import dev.lifeboat.postgres.backup.PostgresTarget;
import dev.lifeboat.redis.RedisTarget;
import dev.lifeboat.redis.backup.RdbBackup;
import dev.lifeboat.redis.backup.SourceChoice;
import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.Snapshot;
import dev.lifeboat.repository.files.Progress;
import dev.lifeboat.repository.lock.RepositoryLock;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * What the agent does when a cron schedule fires:
 * <ul>
 *   <li>{@code backup}: a snapshot of every resource the schedule names, one after another: Redis instances over the
 *       replication protocol from a healthy replica, PostgreSQL clusters with a data directory on this host as base
 *       backups; a resource that fails is reported and the next one still runs;</li>
 *   <li>{@code prune}: the plan's keep policies applied to snapshots and WAL ({@link RetentionRun}), never beyond
 *       what the kept backups reach;</li>
 *   <li>{@code verify}: {@code verify --quick}, or with {@code level: full} a real restore and pg_amcheck
 *       ({@link Verification}); each problem goes to the timeline.</li>
 * </ul>
 * Other jobs (drill, health) are reported as not run by this build.
 */
final class ScheduledJobs {
    private final Plan plan;
    private final RepositoryAccess access;
    private final Repository repo;
    private final Consumer<String> timeline;

    ScheduledJobs(Plan plan, RepositoryAccess access, Repository repo, Consumer<String> timeline) {
        this.plan = plan;
        this.access = access;
        this.repo = repo;
        this.timeline = timeline;
    }

    void run(Schedule schedule, Instant due) {
        if (schedule.job() == Job.PRUNE) {
            prune(schedule);
            return;
        }
        if (schedule.job() == Job.VERIFY) {
            verify(schedule);
            return;
        }
        if (schedule.job() != Job.BACKUP) {
            timeline.accept(schedule.name() + ": the agent does not run '" + schedule.job().name().toLowerCase() + "' jobs yet; skipped");
            return;
        }
        java.util.List<String> failed = new java.util.ArrayList<>();
        for (String resource : schedule.resources()) {
            // One resource failing (its server down, its slots full) must not cost the others their backup until the
            // next firing: each is tried, and each failure reported with its code and hint.
            Snapshot s;
            try (RepositoryLock lock = repo.lockShared("agent " + schedule.name() + " " + resource)) {
                s = backup(resource);
            } catch (RuntimeException e) {
                failed.add(resource);
                timeline.accept(schedule.name() + ": " + resource + " backup FAILED" + describe(e) + "; the other resources are still backed up");
                continue;
            }
            if (s != null) {
                timeline.accept(schedule.name() + ": " + resource + " snapshot " + s.shortId() + " (" + s.manifest().stats().bytes() + " bytes, "
                        + s.manifest().stats().millis() + " ms) for the firing at " + due);
            }
        }
        if (!failed.isEmpty()) {
            throw new dev.lifeboat.core.error.LifeboatException(dev.lifeboat.core.error.ErrorCode.PROCESS_FAILED, failed.size() + " of "
                    + schedule.resources().size() + " resource(s) not backed up: " + String.join(", ", failed), null);
        }
    }

    /** The failure's code, message and hint, for one timeline line. */
    private static String describe(RuntimeException e) {
        if (e instanceof dev.lifeboat.core.error.LifeboatException le) {
            return " [" + le.code().label() + "]: " + le.getMessage() + (le.hint() == null ? "" : " " + le.hint());
        }
        return ": " + e;
    }

    /**
     * Whether a backup schedule's last firing ({@code previous}) was missed while the agent was not running: some
     * resource it backs up has backups, the newest older than that firing. A resource never backed up is not
     * judged (its first backup comes at the next firing, or from 'lifeboat backup' now); other jobs are not judged.
     */
    java.util.Optional<String> missed(Schedule schedule, Instant previous) {
        if (schedule.job() != Job.BACKUP) {
            return Optional.empty();
        }
        java.util.List<Snapshot> all;
        try {
            all = snapshotsAtStart();
        } catch (RuntimeException e) {
            // The agent must start (WAL streaming matters most) even when the listing cannot be read now.
            timeline.accept(schedule.name() + ": cannot tell whether its last firing was missed (" + e.getMessage() + "); waiting for the next one");
            return Optional.empty();
        }
        for (String resource : schedule.resources()) {
            if (dev.lifeboat.core.feasibility.JobSupport.notRun(plan, Job.BACKUP, resource).isPresent()) {
                continue; // no backup method here: the firing would not have backed it up either
            }
            Optional<Instant> newest = all.stream().filter(sn -> resource.equals(sn.manifest().name())
                    && java.util.Set.of("redis", "postgres", "directory").contains(sn.manifest().kind())).map(Snapshot::time).max(Instant::compareTo);
            if (newest.isPresent() && newest.get().isBefore(previous)) {
                return Optional.of(resource + "'s newest backup is from " + newest.get());
            }
        }
        return Optional.empty();
    }

    private java.util.List<Snapshot> startListing;

    /** The snapshot listing, read once for all schedules when the agent starts. */
    private java.util.List<Snapshot> snapshotsAtStart() {
        if (startListing == null) {
            startListing = repo.snapshots().list();
        }
        return startListing;
    }

    private void prune(Schedule schedule) {
        RetentionRun.Outcome o = RetentionRun.apply(repo, RetentionRun.planPolicies(plan), false, "agent " + schedule.name());
        int wal = o.wal().values().stream().mapToInt(java.util.List::size).sum();
        timeline.accept(schedule.name() + ": applied the plan's keep policies: forgot " + o.plan().forget().size() + " snapshot(s), deleted "
                + o.deleted().size() + " object(s) and " + wal + " WAL object(s) from before the oldest kept base backups; kept "
                + o.plan().decisions().stream().filter(d -> d.keep()).count() + " snapshot(s)"
                + (o.retentionExtended() > 0 ? "; extended the Object Lock retention of " + o.retentionExtended() + " object(s) still in use" : ""));
    }

    private void verify(Schedule schedule) {
        String level = schedule.options().getOrDefault("level", "quick");
        if (!level.equals("quick") && !level.equals("full")) {
            timeline.accept(schedule.name() + ": PROBLEM verify level '" + level + "' is neither quick nor full; nothing was verified");
            return;
        }
        boolean full = level.equals("full");
        java.time.Duration timeout;
        try {
            timeout = dev.lifeboat.core.time.Durations.parse(schedule.options().getOrDefault("timeout", "30m"));
        } catch (RuntimeException e) {
            timeline.accept(schedule.name() + ": PROBLEM verify timeout '" + schedule.options().get("timeout") + "' is not a duration (30m, 2h); "
                    + "nothing was verified");
            return;
        }
        // A schedule naming resources verifies those; one naming none verifies everything in the repository.
        java.util.Set<String> covered = java.util.Set.copyOf(schedule.resources());
        Verification.Report r;
        try (dev.lifeboat.cli.ReadLock lock = dev.lifeboat.cli.ReadLock.take(repo, "agent " + schedule.name(), timeline)) {
            r = Verification.run(access, repo, full, Optional.empty(), timeout, n -> covered.isEmpty() || covered.contains(n));
        }
        if (r.ok()) {
            timeline.accept(schedule.name() + ": verify " + level + ": everything verifies (" + String.join("; ", r.checked()) + ")");
        } else {
            r.problems().forEach(p -> timeline.accept(schedule.name() + ": verify " + level + ": PROBLEM " + p));
        }
    }

    private Snapshot backup(String resource) {
        RedisInstance redis = plan.resources().redis().get(resource);
        if (redis != null) {
            Optional<String> password = redis.password().map(access::resolve);
            RedisTarget primary = new RedisTarget(redis.primary(), Optional.empty(), password);
            SourceChoice.Choice choice = SourceChoice.choose(primary, redis.replicas());
            timeline.accept(resource + ": " + choice.reason());
            return new RdbBackup(repo, Clock.systemUTC()).run(choice.target(), resource, Map.of("primary", primary.toString()), Progress.NONE);
        }
        PostgresCluster pg = plan.resources().postgres().get(resource);
        if (pg != null && pg.dataDir().isPresent()) {
            PostgresTarget t = new PostgresTarget(pg.jdbcUrl(), pg.user(),
                    access.postgresPassword(resource), Path.of(pg.dataDir().get()));
            return new BaseBackup(repo, Clock.systemUTC(), 2).run(t, resource, Progress.NONE);
        }
        dev.lifeboat.core.plan.ConfigSource config = plan.resources().configSources().get(resource);
        if (config != null && config.type() == dev.lifeboat.core.plan.ConfigSource.Type.DIRECTORY) {
            return new dev.lifeboat.repository.files.DirectoryBackup(repo, Clock.systemUTC(), 2)
                    .run(Path.of(config.path().orElseThrow()), resource, java.util.List.of("config"), Progress.NONE);
        }
        timeline.accept(resource + ": PROBLEM not backed up: " + dev.lifeboat.core.feasibility.JobSupport.notRun(plan, Job.BACKUP, resource)
                .orElse("no backup method for it in this build"));
        return null;
    }
}
