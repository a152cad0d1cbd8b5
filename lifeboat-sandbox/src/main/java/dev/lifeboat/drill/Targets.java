package dev.lifeboat.drill;

import dev.lifeboat.core.plan.Component;
import dev.lifeboat.core.plan.DataClass;
import dev.lifeboat.core.plan.Plan;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The recovery targets a drill is judged against: for the resource it breaks, the tightest RTO and RPO among the
 * plan's components that depend on it or keep data in it.
 *
 * @param components the affected components, by title
 */
public record Targets(Duration rto, Duration rpo, List<String> components) {
    public static Targets of(Plan plan, String resource) {
        Duration rto = plan.objectives().rto();
        Duration rpo = plan.objectives().rpo();
        List<String> affected = new ArrayList<>();
        for (Component c : plan.components().values()) {
            boolean uses = c.dependsOn().contains(resource) || c.data().stream().map(plan.dataClasses()::get)
                    .anyMatch(d -> d != null && keepsDataIn(d, resource));
            if (uses) {
                affected.add(c.title());
                rto = c.rto().compareTo(rto) < 0 ? c.rto() : rto;
                rpo = c.rpo().compareTo(rpo) < 0 ? c.rpo() : rpo;
            }
        }
        return new Targets(rto, rpo, affected);
    }

    private static boolean keepsDataIn(DataClass d, String resource) {
        return d.storedIn().stream().anyMatch(l -> l.resource().equals(resource));
    }
}
