package dev.lifeboat.core.feasibility;

import dev.lifeboat.core.plan.Criticality;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Whether the plan can meet one component's targets.
 *
 * @param deliveredRpo worst case over every resource the component needs; empty if any is unprotected
 * @param reasons      one sentence per finding, worst first
 */
public record ComponentAssessment(String name, String title, Criticality criticality, Duration rtoTarget,
                                  Verdict rto, Duration rpoTarget, Optional<Duration> deliveredRpo, Verdict rpo,
                                  List<String> resources, List<String> reasons) {
    public Verdict verdict() {
        return rpo == Verdict.NOT_MET || rto == Verdict.NOT_MET ? Verdict.NOT_MET : Verdict.MET;
    }
}
