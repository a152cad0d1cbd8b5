package dev.lifeboat.core.feasibility;

/** The answer to "can the configured protection deliver this target?". */
public enum Verdict {
    MET, NOT_MET,
    /** Cannot be decided from the plan alone (an RTO before any drill has measured it). */
    UNMEASURED;

    public String label() {
        return switch (this) {
            case MET -> "met";
            case NOT_MET -> "NOT met";
            case UNMEASURED -> "unmeasured";
        };
    }
}
