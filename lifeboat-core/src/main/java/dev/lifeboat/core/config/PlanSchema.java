package dev.lifeboat.core.config;

import static dev.lifeboat.core.config.Field.optional;
import static dev.lifeboat.core.config.Field.required;

import dev.lifeboat.core.error.ErrorCode;
import dev.lifeboat.core.plan.Channel;
import dev.lifeboat.core.plan.Communication;
import dev.lifeboat.core.plan.Component;
import dev.lifeboat.core.plan.Contact;
import dev.lifeboat.core.plan.Criticality;
import dev.lifeboat.core.plan.DataClass;
import dev.lifeboat.core.plan.EscalationLevel;
import dev.lifeboat.core.plan.Frequency;
import dev.lifeboat.core.plan.KeepPolicy;
import dev.lifeboat.core.plan.Location;
import dev.lifeboat.core.plan.Objectives;
import dev.lifeboat.core.plan.Plan;
import dev.lifeboat.core.plan.Repository;
import dev.lifeboat.core.plan.Resources;
import dev.lifeboat.core.plan.Schedule;
import dev.lifeboat.core.plan.Template;
import dev.lifeboat.core.time.Durations;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** The root of {@code lifeboat.yaml} and its business sections: objectives, components and data classes. */
public final class PlanSchema {
    /** The plan format version this Lifeboat reads. */
    public static final int FORMAT_VERSION = 1;

    private PlanSchema() {
    }

    static ObjectSchema<Objectives> objectives() {
        ObjectSchema<Objectives> s = ObjectSchema.of("objectives", "The plan-wide goals.");
        Field<Duration> rto = s.field(required("rto", PlanTypes.duration(), "Recovery time objective: the longest acceptable outage."));
        Field<Duration> rpo = s.field(required("rpo", PlanTypes.duration(), "Recovery point objective: the most data that may be lost, as time."));
        Field<Double> availability = s.field(optional("availability", PlanTypes.percent(), "99.9%", "Availability target."));
        return s.builds(v -> new Objectives(v.get(rto), v.get(rpo), v.getOr(availability, 99.9)));
    }

    static ObjectSchema<Component> component() {
        ObjectSchema<Component> s = ObjectSchema.of("component", "A service with its own recovery targets.");
        Field<String> title = s.field(optional("title", Type.text(), "the name", "Display name, e.g. User Authentication."));
        Field<Criticality> criticality = s.field(required("criticality", Type.oneOf(Criticality.class), "How critical the component is."));
        Field<Duration> rto = s.field(required("rto", PlanTypes.duration(), "Recovery time objective."));
        Field<Duration> rpo = s.field(required("rpo", PlanTypes.duration(), "Recovery point objective."));
        Field<List<String>> dependsOn = s.field(optional("depends-on", Type.listOf(Type.reference(Kind.RESOURCES)), "none",
                "Resources the component needs; each must be protected within its RPO."));
        Field<List<String>> data = s.field(optional("data", Type.listOf(Type.reference(Kind.DATA_CLASS)), "none",
                "Data classes the component serves; their RPO target is at most the component's."));
        return s.builds(v -> new Component(v.name(), v.getOr(title, v.name()), v.get(criticality), v.get(rto), v.get(rpo),
                v.getOr(dependsOn, List.of()), v.getOr(data, List.of())));
    }

    static ObjectSchema<Location> location() {
        ObjectSchema<Location> s = ObjectSchema.of("location", "Where (part of) a data class lives.");
        Field<String> resource = s.field(required("resource", Type.reference(Kind.RESOURCES), "The resource holding the data."));
        Field<List<String>> tables = s.field(optional("tables", Type.listOf(Type.text()), "none", "PostgreSQL: tables as schema.table or schema.*."));
        Field<List<String>> keys = s.field(optional("key-patterns", Type.listOf(Type.text()), "none", "Redis: key patterns such as session:*."));
        Field<List<String>> prefixes = s.field(optional("prefixes", Type.listOf(Type.text()), "none", "Buckets: object key prefixes."));
        Field<List<String>> paths = s.field(optional("paths", Type.listOf(Type.text()), "none", "Configuration sources: paths inside the source."));
        return s.builds(v -> new Location(v.get(resource), v.getOr(tables, List.of()), v.getOr(keys, List.of()),
                        v.getOr(prefixes, List.of()), v.getOr(paths, List.of())))
                .rule((l, v, b) -> b.symbols().kindOf(l.resource(), Kind.RESOURCES).ifPresent(kind -> {
                    check(v, b, tables, !l.tables().isEmpty(), kind == Kind.POSTGRES, kind);
                    check(v, b, keys, !l.keyPatterns().isEmpty(), kind == Kind.REDIS, kind);
                    check(v, b, prefixes, !l.prefixes().isEmpty(), kind == Kind.BUCKET, kind);
                    check(v, b, paths, !l.paths().isEmpty(), kind == Kind.CONFIG_SOURCE, kind);
                }));
    }

    private static void check(Values v, Binding b, Field<?> f, boolean given, boolean fits, Kind kind) {
        if (given && !fits) {
            b.report(v.at(f), ErrorCode.IMPOSSIBLE_VALUE, v.path() + "." + f.key() + " does not apply to a " + kind.label(),
                    "Use tables for PostgreSQL, key-patterns for Redis, prefixes for buckets, paths for configuration sources.");
        }
    }

    static ObjectSchema<KeepPolicy> keep() {
        ObjectSchema<KeepPolicy> s = ObjectSchema.of("keep policy",
                "Which recovery points to keep; a point is kept if any rule keeps it. Months count 30 days, years 365.");
        Field<Integer> last = s.field(optional("last", Type.integer(1, 100000), "The newest N."));
        Field<Duration> within = s.field(optional("within", PlanTypes.duration(), "Everything newer than this, and the newest snapshot before it, where a recovery to the start of the window begins."));
        Field<Integer> hourly = s.field(optional("hourly", Type.integer(1, 100000), "The newest of each of the last N hours."));
        Field<Integer> daily = s.field(optional("daily", Type.integer(1, 100000), "The newest of each of the last N days."));
        Field<Integer> weekly = s.field(optional("weekly", Type.integer(1, 100000), "The newest of each of the last N weeks."));
        Field<Integer> monthly = s.field(optional("monthly", Type.integer(1, 100000), "The newest of each of the last N months."));
        Field<Integer> yearly = s.field(optional("yearly", Type.integer(1, 1000), "The newest of each of the last N years."));
        return s.builds(v -> new KeepPolicy(v.find(last), v.find(within), v.find(hourly), v.find(daily), v.find(weekly),
                v.find(monthly), v.find(yearly)))
                .rule((k, v, b) -> {
                    // keep: {} (or its rules commented out) would keep the newest snapshot alone and prune the rest.
                    if (k.reach(Duration.ofDays(1)).isZero() && k.last().isEmpty()) {
                        b.report(v.at(), ErrorCode.IMPOSSIBLE_VALUE, v.path() + " names no rule, so it would keep only the newest recovery point",
                                "Give at least one rule, e.g. keep: {within: 30d}, or remove keep to keep everything within the retention.");
                    }
                });
    }

    static ObjectSchema<DataClass> dataClass() {
        ObjectSchema<DataClass> s = ObjectSchema.of("data class", "A kind of data with one protection requirement.");
        Field<String> title = s.field(optional("title", Type.text(), "the name", "Display name, e.g. User Profiles."));
        Field<Criticality> criticality = s.field(required("criticality", Type.oneOf(Criticality.class), "How critical the data is."));
        Field<Frequency> frequency = s.field(required("backup-frequency", PlanTypes.frequency(),
                "How often the data must be captured: real-time needs continuous protection (wal, mirror)."));
        Field<Duration> retention = s.field(required("retention", PlanTypes.duration(), "How long recovery points must be kept, e.g. 7y."));
        Field<Duration> rpo = s.field(optional("rpo", PlanTypes.duration(), "the tightest RPO of the components using it, else the backup frequency",
                "The class's own recovery point objective."));
        Field<KeepPolicy> keep = s.field(optional("keep", Type.object(keep()), "keep everything within the retention",
                "A finer keep policy; plan check verifies it reaches back the whole retention."));
        Field<List<Location>> storedIn = s.field(required("stored-in", Type.listOf(Type.object(location())), "Where the data lives."));
        return s.builds(v -> new DataClass(v.name(), v.getOr(title, v.name()), v.get(criticality), v.get(frequency),
                        v.get(retention), v.find(rpo), v.find(keep).orElseGet(() -> KeepPolicy.within(v.get(retention))),
                        v.get(storedIn)))
                .rule((d, v, b) -> {
                    d.rpo().filter(r -> r.compareTo(d.retention()) > 0).ifPresent(r -> b.report(v.at(rpo), ErrorCode.IMPOSSIBLE_VALUE,
                            v.path() + ": rpo " + Durations.format(r) + " is longer than retention " + Durations.format(d.retention()),
                            "A recovery point must be kept at least as long as the RPO allows it to be old; shorten the RPO or lengthen retention."));
                    if (d.backupFrequency() instanceof Frequency.Every e && e.interval().compareTo(d.retention()) > 0) {
                        b.report(v.at(frequency), ErrorCode.IMPOSSIBLE_VALUE, v.path() + ": backup-frequency " + Durations.format(e.interval())
                                + " is longer than retention " + Durations.format(d.retention()),
                                "Each backup would expire before the next one is taken; back up more often or keep longer.");
                    }
                    if (d.storedIn().isEmpty()) {
                        b.report(v.at(storedIn), ErrorCode.IMPOSSIBLE_VALUE, v.path() + ".stored-in is empty", "Name at least one resource holding the data.");
                    }
                });
    }

    /** The root section: the whole plan file. */
    public static ObjectSchema<Plan> root(String source) {
        ObjectSchema<Plan> s = ObjectSchema.of("plan", "The root of lifeboat.yaml.");
        Field<Integer> version = s.field(required("version", Type.integer(1, 999), "The plan format version; this Lifeboat reads " + FORMAT_VERSION + "."));
        Field<String> name = s.field(required("name", Type.text(), "The system the plan protects."));
        Field<String> description = s.field(optional("description", Type.text(), "A sentence about the system."));
        Field<Objectives> objectives = s.field(required("objectives", Type.object(objectives()), "Plan-wide RTO, RPO and availability."));
        Field<Map<String, Component>> components = s.field(optional("components", Type.namedMap(component(), Kind.COMPONENT), "none",
                "Service components by name."));
        Field<Map<String, DataClass>> dataClasses = s.field(optional("data-classes", Type.namedMap(dataClass(), Kind.DATA_CLASS), "none",
                "Data classes by name."));
        Field<Resources> resources = s.field(optional("resources", Type.object(ResourceSchemas.resources()), "none", "Resources by kind."));
        Field<Repository> repository = s.field(optional("repository", Type.object(RepositorySchema.repository()), "none",
                "The backup repository."));
        Field<Map<String, Schedule>> schedules = s.field(optional("schedules", Type.namedMap(ScheduleSchema.schedule(), Kind.SCHEDULE), "none",
                "Schedules by name."));
        Field<Map<String, Contact>> contacts = s.field(optional("contacts", Type.namedMap(OperationsSchema.contact(), Kind.CONTACT), "none",
                "Contacts by role name."));
        Field<List<EscalationLevel>> escalation = s.field(optional("escalation", Type.listOf(Type.object(OperationsSchema.escalationLevel())), "none",
                "Escalation levels, lowest first."));
        Field<Map<String, Channel>> channels = s.field(optional("channels", Type.namedMap(OperationsSchema.channel(), Kind.CHANNEL), "none",
                "Notification channels by name."));
        Field<Map<String, Template>> templates = s.field(optional("templates", Type.namedMap(OperationsSchema.template(), Kind.TEMPLATE), "none",
                "Message templates by name."));
        Field<Communication> communication = s.field(optional("communication", Type.object(OperationsSchema.communication()),
                "updates every 30m; customers told past 10% or 30m", "Communication rules."));
        return s.builds(v -> new Plan(source, v.get(version), v.get(name), v.find(description), v.get(objectives),
                        v.getOr(components, Map.of()), v.getOr(dataClasses, Map.of()), v.getOr(resources, Resources.none()),
                        v.find(repository), v.getOr(schedules, Map.of()), v.getOr(contacts, Map.of()),
                        v.getOr(escalation, List.of()), v.getOr(channels, Map.of()), v.getOr(templates, Map.of()),
                        v.find(communication)))
                .rule((p, v, b) -> {
                    if (p.version() != FORMAT_VERSION) {
                        b.report(v.at(version), ErrorCode.BAD_VALUE, ErrorCode.BAD_VALUE.format("version",
                                "this Lifeboat reads plan format " + FORMAT_VERSION + ", the file is format " + p.version()),
                                p.version() > FORMAT_VERSION ? "Upgrade Lifeboat to read this plan." : "Write version: " + FORMAT_VERSION + ".");
                    }
                    OperationsSchema.checkLadder(p.escalation(), b, v.at(escalation));
                    checkComponentsAgainstRetention(p, b);
                    checkWalSources(p, b);
                    checkSpools(p, b);
                });
    }

    /** A wal schedule's {@code from} names a replica of every cluster it covers, and goes with streaming only. */
    private static void checkWalSources(Plan p, Binding b) {
        for (Schedule s : p.schedules().values()) {
            String from = s.options().get(dev.lifeboat.core.plan.WalSource.OPTION);
            if (s.job() != dev.lifeboat.core.plan.Job.WAL || from == null) {
                continue;
            }
            Values v = b.valuesOf(s);
            Position at = v != null ? v.at() : new Position(p.source(), 1, 1);
            if (s.options().containsKey("spool")) {
                b.report(at, ErrorCode.IMPOSSIBLE_VALUE, "schedules." + s.name() + ": 'from' chooses the server to stream WAL from, and 'spool' "
                        + "archives through archive_command instead of streaming", "Keep one of them: from: REPLICA to stream from a standby, "
                        + "or spool: DIR to archive.");
                continue;
            }
            for (String r : s.resources()) {
                dev.lifeboat.core.plan.PostgresCluster c = p.resources().postgres().get(r);
                if (c != null && !c.replicas().containsKey(from)) {
                    String hint = Spelling.didYouMean(from, List.copyOf(c.replicas().keySet()));
                    b.report(at, ErrorCode.UNDEFINED_REFERENCE, ErrorCode.UNDEFINED_REFERENCE.format("schedules." + s.name() + ".options.from",
                            "replica of " + r, from), hint != null ? hint : c.replicas().isEmpty() ? "Cluster " + r + " has no replicas; "
                            + "add them under resources.postgres." + r + ".replicas, or remove 'from' to stream from the primary."
                            : "Its replicas: " + String.join(", ", c.replicas().keySet()) + ".");
                }
            }
        }
    }

    /**
     * A spool directory serves one cluster: every cluster's segments have the same names, so with two clusters in one
     * spool one cluster's file could be stored as the other's and its archive_command told it was.
     */
    private static void checkSpools(Plan p, Binding b) {
        Map<String, String> owner = new java.util.HashMap<>();
        for (Schedule s : p.schedules().values()) {
            String spool = s.options().get("spool");
            if (s.job() != dev.lifeboat.core.plan.Job.WAL || spool == null) {
                continue;
            }
            String dir = java.nio.file.Path.of(spool).toAbsolutePath().normalize().toString();
            for (String r : s.resources()) {
                String other = owner.putIfAbsent(dir, r);
                if (other != null && !other.equals(r)) {
                    Values v = b.valuesOf(s);
                    b.report(v != null ? v.at() : new Position(p.source(), 1, 1), ErrorCode.IMPOSSIBLE_VALUE, "schedules." + s.name()
                            + ": clusters " + other + " and " + r + " share the spool " + spool + ", where their segments' names collide",
                            "Give each cluster a wal schedule with a spool directory of its own.");
                }
            }
        }
    }

    /** A component's RPO cannot exceed the retention of the data it serves: the recovery point would be gone. */
    private static void checkComponentsAgainstRetention(Plan p, Binding b) {
        for (Component c : p.components().values()) {
            for (String dc : c.data()) {
                DataClass d = p.dataClasses().get(dc);
                if (d != null && c.rpo().compareTo(d.retention()) > 0) {
                    Values v = b.valuesOf(c);
                    b.report(v != null ? v.at() : new Position(p.source(), 1, 1), ErrorCode.IMPOSSIBLE_VALUE,
                            "components." + c.name() + ": rpo " + Durations.format(c.rpo()) + " is longer than the retention "
                                    + Durations.format(d.retention()) + " of data class '" + dc + "'",
                            "Shorten the component's RPO or keep the data longer.");
                }
            }
        }
    }
}
