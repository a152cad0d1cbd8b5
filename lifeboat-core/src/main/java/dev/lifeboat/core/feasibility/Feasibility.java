package dev.lifeboat.core.feasibility;

import java.util.List;

/**
 * The plan check's answer: for every component and data class, whether the configured protection can deliver its
 * targets, and why; plus notes about risks that are not failures.
 */
public record Feasibility(String plan, String source, String objectives, List<ComponentAssessment> components,
                          List<DataClassAssessment> dataClasses, List<Protection> protections, List<String> notes) {

    /** Targets the configuration cannot deliver. */
    public long gaps() {
        return components.stream().filter(c -> c.verdict() == Verdict.NOT_MET).count()
                + dataClasses.stream().filter(d -> d.verdict() == Verdict.NOT_MET).count();
    }
}
