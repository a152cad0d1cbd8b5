package dev.lifeboat.core.plan;

import java.time.Duration;
import java.util.Optional;

/** The recovery point a resource must deliver: the tightest RPO of the components and data classes that depend on it. */
public final class RpoTarget {
    private RpoTarget() {
    }

    /** The tightest RPO among components using {@code resource} (directly or through their data) and data classes stored in it. */
    public static Optional<Duration> of(Plan plan, String resource) {
        Optional<Duration> best = Optional.empty();
        for (Component c : plan.components().values()) {
            boolean uses = c.dependsOn().contains(resource) || c.data().stream().map(plan.dataClasses()::get)
                    .anyMatch(d -> d != null && d.storedIn().stream().anyMatch(l -> l.resource().equals(resource)));
            if (uses && (best.isEmpty() || c.rpo().compareTo(best.get()) < 0)) {
                best = Optional.of(c.rpo());
            }
        }
        for (DataClass d : plan.dataClasses().values()) {
            if (d.rpo().isPresent() && d.storedIn().stream().anyMatch(l -> l.resource().equals(resource))
                    && (best.isEmpty() || d.rpo().get().compareTo(best.get()) < 0)) {
                best = d.rpo();
            }
        }
        return best;
    }

    /** {@link #of}, else the plan's overall RPO objective: what a resource nothing names in particular must still meet. */
    public static Duration orObjective(Plan plan, String resource) {
        return of(plan, resource).orElse(plan.objectives().rpo());
    }
}
