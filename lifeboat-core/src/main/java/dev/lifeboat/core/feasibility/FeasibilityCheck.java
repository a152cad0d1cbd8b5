package dev.lifeboat.core.feasibility;

import static dev.lifeboat.core.time.Durations.format;

import dev.lifeboat.core.plan.Component;
import dev.lifeboat.core.plan.DataClass;
import dev.lifeboat.core.plan.Frequency;
import dev.lifeboat.core.plan.Job;
import dev.lifeboat.core.plan.Location;
import dev.lifeboat.core.plan.Objectives;
import dev.lifeboat.core.plan.Plan;
import dev.lifeboat.core.plan.Schedule;
import dev.lifeboat.core.time.Cadence;
import dev.lifeboat.core.time.CronExpression;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Decides, from a valid plan alone, whether its protection can deliver each target. It reasons about worst cases:
 * the longest gap between backups, the largest allowed streaming lag. It cannot know how long a backup or a restore
 * takes, so recovery times stay "unmeasured" until a drill measures them.
 */
public final class FeasibilityCheck {
    private FeasibilityCheck() {
    }

    public static Feasibility assess(Plan plan) {
        Map<String, Protection> protections = protections(plan);
        List<String> notes = new ArrayList<>();
        List<ComponentAssessment> components = new ArrayList<>();
        for (Component c : plan.components().values()) {
            components.add(component(plan, c, protections));
        }
        List<DataClassAssessment> classes = new ArrayList<>();
        for (DataClass d : plan.dataClasses().values()) {
            classes.add(dataClass(plan, d, protections));
        }
        planNotes(plan, protections, notes);
        Objectives o = plan.objectives();
        String objectives = "RTO " + format(o.rto()) + ", RPO " + format(o.rpo()) + ", availability "
                + trim(o.availabilityPercent()) + "% (" + format(o.allowedDowntimePerYear()) + " of downtime a year)";
        return new Feasibility(plan.name(), plan.source(), objectives, components, classes,
                List.copyOf(protections.values()), notes);
    }

    /** How each resource is protected, from the schedules that name it. */
    static Map<String, Protection> protections(Plan plan) {
        Map<String, Protection> out = new LinkedHashMap<>();
        List<String> names = new ArrayList<>();
        names.addAll(plan.resources().postgres().keySet());
        names.addAll(plan.resources().redis().keySet());
        names.addAll(plan.resources().buckets().keySet());
        names.addAll(plan.resources().configSources().keySet());
        for (String r : names) {
            Optional<Duration> continuous = Optional.empty();
            List<CronExpression> crons = new ArrayList<>();
            List<String> by = new ArrayList<>();
            List<String> notRun = new ArrayList<>();
            for (Schedule s : plan.schedules().values()) {
                if (!s.resources().contains(r)) {
                    continue;
                }
                Optional<String> why = JobSupport.notRun(plan, s.job(), r);
                if (why.isPresent()) {
                    notRun.add("'" + s.name() + "' (" + s.job().name().toLowerCase() + ") does not run: " + why.get());
                    continue;
                }
                if (s.job().continuous() && s.maxLag().isPresent()) {
                    Duration lag = s.maxLag().get();
                    continuous = Optional.of(continuous.map(c -> min(c, lag)).orElse(lag));
                    by.add(s.name());
                } else if (s.job() == Job.BACKUP && s.cron().isPresent()) {
                    crons.add(s.cron().get());
                    by.add(s.name());
                }
            }
            out.put(r, new Protection(r, plan.resources().kindOf(r), continuous, Cadence.longestGap(crons), by, notRun));
        }
        return out;
    }

    private static ComponentAssessment component(Plan plan, Component c, Map<String, Protection> protections) {
        // Each resource the component needs, with the RPO it is judged against: the component's, except data reached
        // only through a data class that states its own rpo (the business accepted that loss for that data).
        Map<String, Duration> needed = new LinkedHashMap<>();
        c.dependsOn().forEach(r -> needed.put(r, c.rpo()));
        for (String dc : c.data()) {
            DataClass d = plan.dataClasses().get(dc);
            if (d != null) {
                Duration target = d.rpo().map(r -> max(r, c.rpo())).orElse(c.rpo());
                d.storedIn().forEach(l -> needed.merge(l.resource(), target, FeasibilityCheck::min));
            }
        }
        List<String> reasons = new ArrayList<>();
        Optional<Duration> delivered = Optional.of(Duration.ZERO);
        boolean met = true;
        for (Map.Entry<String, Duration> e : needed.entrySet()) {
            String r = e.getKey();
            Protection p = protections.get(r);
            if (p == null || !p.exists()) {
                reasons.add("depends on " + plan.resources().kindOf(r) + " '" + r + "', which no schedule protects" + notRun(p));
                delivered = Optional.empty();
                met = false;
                continue;
            }
            Duration worst = p.worstCase().orElseThrow();
            delivered = delivered.map(d -> max(d, worst));
            String accepted = e.getValue().equals(c.rpo()) ? "" : " (its data class accepts " + format(e.getValue()) + ")";
            if (worst.compareTo(e.getValue()) > 0) {
                reasons.add("'" + r + "' can lose up to " + format(worst) + " (" + p.describe() + "), more than the RPO "
                        + format(e.getValue()) + accepted);
                met = false;
            } else {
                reasons.add("'" + r + "': " + p.describe() + " → worst case " + format(worst) + accepted);
            }
            Optional<String> wal = walWithoutBase(plan, r, p);
            if (wal.isPresent()) {
                reasons.add(wal.get());
                met = false;
            }
        }
        if (needed.isEmpty()) {
            reasons.add("depends on no resource, so there is nothing to protect");
        }
        reasons.add("RTO " + format(c.rto()) + " is not measured yet: run a drill to measure it");
        reasons.sort(Comparator.comparing(s -> s.contains("more than") || s.contains("no schedule") || s.contains("cannot") ? 0 : 1));
        return new ComponentAssessment(c.name(), c.title(), c.criticality(), c.rto(), Verdict.UNMEASURED, c.rpo(),
                delivered, met ? Verdict.MET : Verdict.NOT_MET, List.copyOf(needed.keySet()), reasons);
    }

    /** PostgreSQL WAL alone cannot be restored: replay needs a base backup to start from. */
    private static Optional<String> walWithoutBase(Plan plan, String resource, Protection p) {
        if (plan.resources().postgres().containsKey(resource) && p.continuous().isPresent() && p.scheduledGap().isEmpty()) {
            return Optional.of("'" + resource + "' streams WAL but has no backup schedule: WAL replay needs a base backup, so it cannot be restored");
        }
        return Optional.empty();
    }

    private static DataClassAssessment dataClass(Plan plan, DataClass d, Map<String, Protection> protections) {
        List<String> reasons = new ArrayList<>();
        // The effective RPO target: its own, else the tightest of the components serving it, else its frequency.
        Optional<Duration> target = d.rpo();
        String source = "its own rpo";
        if (target.isEmpty()) {
            for (Component c : plan.components().values()) {
                if (c.data().contains(d.name()) && (target.isEmpty() || c.rpo().compareTo(target.get()) < 0)) {
                    target = Optional.of(c.rpo());
                    source = "component " + c.name();
                }
            }
        }
        if (target.isEmpty() && d.backupFrequency() instanceof Frequency.Every e) {
            target = Optional.of(e.interval());
            source = "its backup frequency";
        }
        if (target.isEmpty()) {
            source = "real-time capture";
        }

        boolean rpoMet = true;
        Optional<Duration> delivered = Optional.of(Duration.ZERO);
        Duration cadence = Duration.ZERO;
        List<String> resources = new ArrayList<>();
        for (Location l : d.storedIn()) {
            resources.add(l.resource());
            Protection p = protections.get(l.resource());
            if (p == null || !p.exists()) {
                reasons.add("lives in " + plan.resources().kindOf(l.resource()) + " '" + l.resource() + "', which no schedule protects" + notRun(p));
                delivered = Optional.empty();
                rpoMet = false;
                continue;
            }
            Duration worst = p.worstCase().orElseThrow();
            delivered = delivered.map(x -> max(x, worst));
            cadence = max(cadence, p.scheduledGap().orElse(worst));
            if (d.backupFrequency() instanceof Frequency.RealTime && p.continuous().isEmpty()) {
                reasons.add("must be captured in real time, but '" + l.resource() + "' is only " + p.describe());
                rpoMet = false;
            } else if (d.backupFrequency() instanceof Frequency.Every e && worst.compareTo(e.interval()) > 0) {
                reasons.add("must be captured " + d.backupFrequency() + ", but '" + l.resource() + "' is " + p.describe());
                rpoMet = false;
            }
            if (target.isPresent() && worst.compareTo(target.get()) > 0) {
                reasons.add("target " + format(target.get()) + " (" + source + "), but '" + l.resource() + "' can lose up to "
                        + format(worst) + ": " + p.describe());
                rpoMet = false;
            } else {
                reasons.add("'" + l.resource() + "': " + p.describe() + " → worst case " + format(worst));
            }
            Optional<String> wal = walWithoutBase(plan, l.resource(), p);
            if (wal.isPresent()) {
                reasons.add(wal.get());
                rpoMet = false;
            }
        }
        Duration reach = d.keep().reach(cadence.isZero() ? Duration.ofDays(1) : cadence);
        boolean retentionMet = reach.compareTo(d.retention()) >= 0;
        if (retentionMet) {
            reasons.add("retention " + format(d.retention()) + " covered (keep policy reaches " + format(reach) + ")");
        } else {
            reasons.add("retention " + format(d.retention()) + " NOT covered: the keep policy reaches back only " + format(reach));
        }
        reasons.sort(Comparator.comparing(s -> s.contains("but") || s.contains("NOT") || s.contains("no schedule") || s.contains("cannot") ? 0 : 1));
        return new DataClassAssessment(d.name(), d.title(), d.criticality(), d.backupFrequency().toString(), target, source,
                delivered, rpoMet ? Verdict.MET : Verdict.NOT_MET, d.retention(), reach,
                retentionMet ? Verdict.MET : Verdict.NOT_MET, resources, reasons);
    }

    private static void planNotes(Plan plan, Map<String, Protection> protections, List<String> notes) {
        Objectives o = plan.objectives();
        for (Component c : plan.components().values()) {
            if (c.rto().compareTo(o.rto()) > 0) {
                notes.add(c.title() + ": RTO " + format(c.rto()) + " is looser than the plan-wide RTO " + format(o.rto()));
            }
            if (c.rpo().compareTo(o.rpo()) > 0) {
                notes.add(c.title() + ": RPO " + format(c.rpo()) + " is looser than the plan-wide RPO " + format(o.rpo()));
            }
        }
        for (Protection p : protections.values()) {
            if (!p.exists()) {
                notes.add(p.describe());
            } else {
                p.notRun().forEach(why -> notes.add(p.kind() + " '" + p.resource() + "': " + why));
            }
        }
        if (plan.repository().isEmpty()) {
            notes.add("no repository is defined: nothing can be backed up until one is");
        } else {
            var repo = plan.repository().get();
            if (!repo.encryption().enabled()) {
                notes.add("repository encryption is turned off: anyone who can read the store can read the backups");
            }
            if (repo.regions().size() < 2) {
                notes.add("the repository has a single region: losing it loses every backup");
            }
        }
        plan.resources().redis().values().forEach(r -> r.sentinel().ifPresent(s -> {
            if (s.nodes().size() < 3) {
                notes.add("Redis '" + r.name() + "': " + s.nodes().size() + " Sentinel node(s); three or more survive the loss of one");
            }
        }));
        if (plan.contacts().isEmpty()) {
            notes.add("no contacts are defined: incidents cannot page anyone");
        }
    }

    /** The schedules that name the resource but do not run for it, for a "no schedule protects" reason. */
    private static String notRun(Protection p) {
        return p == null || p.notRun().isEmpty() ? "" : " that this build runs (" + String.join("; ", p.notRun()) + ")";
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    private static String trim(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }
}
