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

    /** The options each job reads; anything else is a typo that would silently change what the job does. */
    static final Map<Job, List<String>> OPTIONS = Map.of(
            Job.VERIFY, List.of("level", "timeout"),
            Job.WAL, List.of("from", "spool"),
            Job.DRILL, List.of("scenario"),
            Job.HEALTH, List.of("extended"),
            Job.BACKUP, List.of(),
            Job.MIRROR, List.of(),
            Job.PRUNE, List.of());

    private static void checkOptions(Schedule sch, Values v, Binding b, Field<Map<String, String>> options) {
        List<String> known = OPTIONS.getOrDefault(sch.job(), List.of());
        String job = Type.spelling(sch.job());
        for (Map.Entry<String, String> o : sch.options().entrySet()) {
            if (!known.contains(o.getKey())) {
                String guess = Spelling.didYouMean(o.getKey(), known);
                b.report(v.at(options), ErrorCode.UNKNOWN_KEY, ErrorCode.UNKNOWN_KEY.format(o.getKey(), v.path() + ".options"),
                        guess != null ? guess : known.isEmpty() ? "A " + job + " job takes no options." : "Options of a " + job + " job: "
                                + String.join(", ", known) + ".");
            }
        }
        String level = sch.options().get("level");
        if (sch.job() == Job.VERIFY && level != null && !level.equals("quick") && !level.equals("full")) {
            b.report(v.at(options), ErrorCode.IMPOSSIBLE_VALUE, v.path() + ".options.level: '" + level + "' is neither quick nor full",
                    "Write level: quick (catalog, objects, WAL continuity, freshness) or level: full (also restores for real).");
        }
        String timeout = sch.options().get("timeout");
        if (sch.job() == Job.VERIFY && timeout != null) {
            try {
                dev.lifeboat.core.time.Durations.parse(timeout);
            } catch (IllegalArgumentException e) {
                b.report(v.at(options), ErrorCode.BAD_DURATION, v.path() + ".options.timeout: " + e.getMessage(), "Write a duration such as 30m or 2h.");
            }
        }
        String spool = sch.options().get("spool");
        if (sch.job() == Job.WAL && spool != null && spool.isBlank()) {
            b.report(v.at(options), ErrorCode.IMPOSSIBLE_VALUE, v.path() + ".options.spool is empty",
                    "Name the spool directory archive_command writes to, e.g. spool: /var/lib/lifeboat/spool/app-db.");
        }
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
                    checkOptions(sch, v, b, options);
                    if ((sch.job() == Job.BACKUP || sch.job().continuous()) && sch.resources().isEmpty()) {
                        b.report(v.at(), ErrorCode.MISSING_KEY, ErrorCode.MISSING_KEY.format(v.path(), "resources"),
                                "Name the resources this job protects, e.g. resources: [app-db].");
                    }
                });
    }
}
