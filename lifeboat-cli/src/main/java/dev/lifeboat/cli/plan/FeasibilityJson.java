package dev.lifeboat.cli.plan;

import dev.lifeboat.core.config.Type;
import dev.lifeboat.core.feasibility.ComponentAssessment;
import dev.lifeboat.core.feasibility.DataClassAssessment;
import dev.lifeboat.core.feasibility.Feasibility;
import dev.lifeboat.core.feasibility.Protection;
import dev.lifeboat.core.time.Durations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The plan check for scripts. Durations appear twice: {@code *_seconds} as numbers and the plain key as text
 * ("5m"); verdicts are {@code met}, {@code not-met} or {@code unmeasured}.
 */
final class FeasibilityJson {
    private FeasibilityJson() {
    }

    static Map<String, Object> of(Feasibility f) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("plan", f.plan());
        m.put("source", f.source());
        m.put("valid", true);
        m.put("objectives", f.objectives());
        List<Object> components = new ArrayList<>();
        for (ComponentAssessment c : f.components()) {
            Map<String, Object> cm = new LinkedHashMap<>();
            cm.put("name", c.name());
            cm.put("title", c.title());
            cm.put("criticality", Type.spelling(c.criticality()));
            duration(cm, "rto_target", Optional.of(c.rtoTarget()));
            cm.put("rto_verdict", Type.spelling(c.rto()));
            duration(cm, "rpo_target", Optional.of(c.rpoTarget()));
            duration(cm, "rpo_worst_case", c.deliveredRpo());
            cm.put("rpo_verdict", Type.spelling(c.rpo()));
            cm.put("verdict", Type.spelling(c.verdict()));
            cm.put("resources", c.resources());
            cm.put("reasons", c.reasons());
            components.add(cm);
        }
        m.put("components", components);
        List<Object> classes = new ArrayList<>();
        for (DataClassAssessment d : f.dataClasses()) {
            Map<String, Object> dm = new LinkedHashMap<>();
            dm.put("name", d.name());
            dm.put("title", d.title());
            dm.put("criticality", Type.spelling(d.criticality()));
            dm.put("backup_frequency", d.frequency());
            duration(dm, "rpo_target", d.rpoTarget());
            dm.put("rpo_target_source", d.rpoTargetSource());
            duration(dm, "rpo_worst_case", d.deliveredRpo());
            dm.put("rpo_verdict", Type.spelling(d.rpo()));
            duration(dm, "retention", Optional.of(d.retention()));
            duration(dm, "retention_reach", Optional.of(d.retentionReach()));
            dm.put("retention_verdict", Type.spelling(d.retentionVerdict()));
            dm.put("verdict", Type.spelling(d.verdict()));
            dm.put("resources", d.resources());
            dm.put("reasons", d.reasons());
            classes.add(dm);
        }
        m.put("data_classes", classes);
        List<Object> protections = new ArrayList<>();
        for (Protection p : f.protections()) {
            Map<String, Object> pm = new LinkedHashMap<>();
            pm.put("resource", p.resource());
            pm.put("kind", p.kind());
            duration(pm, "worst_case", p.worstCase());
            pm.put("schedules", p.schedules());
            pm.put("not_run", p.notRun());
            pm.put("description", p.describe());
            protections.add(pm);
        }
        m.put("protections", protections);
        m.put("notes", f.notes());
        m.put("gaps", f.gaps());
        return m;
    }

    private static void duration(Map<String, Object> m, String key, Optional<Duration> d) {
        m.put(key, d.map(Durations::format).orElse(null));
        m.put(key + "_seconds", d.map(Duration::getSeconds).orElse(null));
    }
}
