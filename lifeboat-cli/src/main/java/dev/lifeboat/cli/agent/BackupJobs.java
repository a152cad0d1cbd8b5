package dev.lifeboat.cli.agent;

import dev.lifeboat.cli.RepositoryAccess;
import dev.lifeboat.core.plan.Endpoint;
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
 * What the agent does when a {@code backup} schedule fires: a snapshot of every resource the schedule names,
 * one after another: Redis instances over the replication protocol from a healthy replica, PostgreSQL clusters
 * with a data directory on this host as base backups. Other jobs are reported as not run by this build.
 */
final class BackupJobs {
    private final Plan plan;
    private final RepositoryAccess access;
    private final Repository repo;
    private final Consumer<String> timeline;

    BackupJobs(Plan plan, RepositoryAccess access, Repository repo, Consumer<String> timeline) {
        this.plan = plan;
        this.access = access;
        this.repo = repo;
        this.timeline = timeline;
    }

    void run(Schedule schedule, Instant due) {
        if (schedule.job() != Job.BACKUP) {
            timeline.accept(schedule.name() + ": the agent does not run '" + schedule.job().name().toLowerCase() + "' jobs yet; skipped");
            return;
        }
        for (String resource : schedule.resources()) {
            Snapshot s;
            try (RepositoryLock lock = RepositoryLock.shared(repo.store(), Clock.systemUTC(), "agent " + schedule.name() + " " + resource)) {
                s = backup(resource);
            }
            if (s != null) {
                timeline.accept(schedule.name() + ": " + resource + " snapshot " + s.shortId() + " (" + s.manifest().stats().bytes() + " bytes, "
                        + s.manifest().stats().millis() + " ms) for the firing at " + due);
            }
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
            Endpoint e = pg.primary();
            PostgresTarget t = new PostgresTarget("jdbc:postgresql://" + e.host() + ":" + e.port() + "/" + pg.database(), pg.user(),
                    access.postgresPassword(resource), Path.of(pg.dataDir().get()));
            return new BaseBackup(repo, Clock.systemUTC(), 2).run(t, resource, Progress.NONE);
        }
        timeline.accept(resource + ": no backup method for this resource in this build (PostgreSQL needs data-dir on this host); skipped");
        return null;
    }
}
