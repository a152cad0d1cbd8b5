package dev.lifeboat.core.feasibility;

import dev.lifeboat.core.plan.Criticality;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Whether the plan can meet one data class's requirements: capture frequency, recovery point and retention.
 *
 * @param rpoTarget       the effective target, if one applies
 * @param rpoTargetSource where the target comes from ("its own rpo", "component user-authentication" …)
 * @param deliveredRpo    worst case over every location of the class; empty if any location is unprotected
 * @param retentionReach  how far back the keep policy reaches at the delivered cadence
 */
public record DataClassAssessment(String name, String title, Criticality criticality, String frequency,
                                  Optional<Duration> rpoTarget, String rpoTargetSource, Optional<Duration> deliveredRpo,
                                  Verdict rpo, Duration retention, Duration retentionReach, Verdict retentionVerdict,
                                  List<String> resources, List<String> reasons) {
    public Verdict verdict() {
        return rpo == Verdict.NOT_MET || retentionVerdict == Verdict.NOT_MET ? Verdict.NOT_MET : Verdict.MET;
    }
}
