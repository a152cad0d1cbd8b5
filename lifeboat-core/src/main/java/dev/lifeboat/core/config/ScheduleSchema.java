package dev.lifeboat.core.config;

import static dev.lifeboat.core.config.Field.optional;
import static dev.lifeboat.core.config.Field.required;

import dev.lifeboat.core.error.ErrorCode;
import dev.lifeboat.core.plan.Job;
import dev.lifeboat.core.plan.Schedule;
import dev.lifeboat.core.time.CronExpression;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The {@code schedules} section: what the agent runs, and when. */
final class ScheduleSchema {
    private ScheduleSchema() {
    }

    static ObjectSchema<Schedule> schedule() {
        ObjectSchema<Schedule> s = ObjectSchema.of("schedule",
                "A job the agent runs at cron times in UTC, or continuously (wal, mirror) within a maximum lag.");
        Field<Job> job = s.field(required("job", Type.oneOf(Job.class),
                "backup, wal (continuous PostgreSQL WAL streaming), mirror (continuous bucket copy), verify, drill, health or prune. This build "
                        + "runs backup for PostgreSQL clusters with a data-dir, Redis instances and directory configuration sources, and wal, "
                        + "verify and prune; mirror, bucket and git or Kubernetes backups, drill and health are not run yet: the agent says so "
                        + "at its start, and plan check counts none of them as protection."));
        Field<List<String>> resources = s.field(optional("resources", Type.listOf(Type.reference(Kind.RESOURCES)), "all that apply",
                "Resources the job covers."));
        Field<CronExpression> cron = s.field(optional("cron", PlanTypes.cron(), "When it runs (not for wal and mirror)."));
        Field<Duration> maxLag = s.field(optional("max-lag", PlanTypes.duration(),
                "wal and mirror: the most the copy may trail the source; this bounds the recovery point."));
        Field<Map<String, String>> options = s.field(optional("options", Type.textMap(), "none",
                "Job options, e.g. level: full and timeout: 2h (each scratch recovery; default 30m) for verify, scenario: all for drill, from: REPLICA (stream from a standby) or spool: DIR for wal."));
        Field<String> description = s.field(optional("description", Type.text(), "What this schedule is for."));
        return s.builds(v -> new Schedule(v.name(), v.get(job), v.getOr(resources, List.of()), v.find(cron),
                        v.find(maxLag), v.getOr(options, Map.of()), v.find(description)))
                .rule((sch, v, b) -> {
                    if (sch.job().continuous()) {
                        if (sch.cron().isPresent()) {
                            b.report(v.at(cron), ErrorCode.IMPOSSIBLE_VALUE, v.path() + ": a " + Type.spelling(sch.job())
                                    + " job runs continuously and takes max-lag, not cron", "Remove cron and set max-lag, e.g. max-lag: 1m.");
                        }
                        if (sch.maxLag().isEmpty()) {
                            b.report(v.at(), ErrorCode.MISSING_KEY, ErrorCode.MISSING_KEY.format(v.path(), "max-lag"), null);
                        }
                    } else {
                        if (sch.cron().isEmpty()) {
                            b.report(v.at(), ErrorCode.MISSING_KEY, ErrorCode.MISSING_KEY.format(v.path(), "cron"), null);
                        }
                        if (sch.maxLag().isPresent()) {
                            b.report(v.at(maxLag), ErrorCode.IMPOSSIBLE_VALUE, v.path() + ": max-lag applies only to wal and mirror jobs",
                                    "Remove max-lag; the cron expression sets how often this job runs.");
                        }
                    }
                    Set<dev.lifeboat.core.config.Kind> allowed = switch (sch.job()) {
                        case WAL -> EnumSet.of(Kind.POSTGRES);
                        case MIRROR -> EnumSet.of(Kind.BUCKET);
                        default -> Kind.RESOURCES;
                    };
                    for (String r : sch.resources()) {
                        b.symbols().kindOf(r, Kind.RESOURCES).ifPresent(k -> {
                            if (!allowed.contains(k)) {
                                b.report(v.at(resources), ErrorCode.IMPOSSIBLE_VALUE, v.path() + ": a " + Type.spelling(sch.job())
                                        + " job cannot cover " + k.label() + " '" + r + "'",
                                        sch.job() == Job.WAL ? "wal streams PostgreSQL WAL; list PostgreSQL clusters only."
                                                : "mirror copies buckets; list buckets only.");
                            }
                        });
                    }
                    if ((sch.job() == Job.BACKUP || sch.job().continuous()) && sch.resources().isEmpty()) {
                        b.report(v.at(), ErrorCode.MISSING_KEY, ErrorCode.MISSING_KEY.format(v.path(), "resources"),
                                "Name the resources this job protects, e.g. resources: [app-db].");
                    }
                });
    }
}
