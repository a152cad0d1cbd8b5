package dev.lifeboat.cli.plan;

import static dev.lifeboat.core.time.Durations.format;

import dev.lifeboat.cli.output.Table;
import dev.lifeboat.core.feasibility.ComponentAssessment;
import dev.lifeboat.core.feasibility.DataClassAssessment;
import dev.lifeboat.core.feasibility.Feasibility;
import dev.lifeboat.core.feasibility.Verdict;
import dev.lifeboat.core.config.Type;
import java.time.Duration;
import java.util.Optional;

/** The plan check for people: two tables, the reasons behind each verdict, notes and a one-line summary. */
final class FeasibilityText {
    private FeasibilityText() {
    }

    static String render(Feasibility f) {
        StringBuilder b = new StringBuilder();
        b.append("Plan '").append(f.plan()).append("' (").append(f.source()).append(") is valid.\n");
        b.append("Objectives: ").append(f.objectives()).append("\n\n");

        Table components = new Table("COMPONENT", "CRITICALITY", "RTO", "RPO", "WORST CASE", "RPO VERDICT", "RTO VERDICT");
        for (ComponentAssessment c : f.components()) {
            components.row(c.title(), Type.spelling(c.criticality()), format(c.rtoTarget()), format(c.rpoTarget()),
                    worst(c.deliveredRpo()), c.rpo().label(), c.rto().label());
        }
        b.append(components.render());
        for (ComponentAssessment c : f.components()) {
            b.append("  ").append(mark(c.verdict())).append(' ').append(c.title()).append(": RPO ").append(format(c.rpoTarget()))
                    .append(" → ").append(c.rpo().label()).append('\n');
            c.reasons().forEach(r -> b.append("      ").append(r).append('\n'));
        }
        b.append('\n');

        Table classes = new Table("DATA CLASS", "CRITICALITY", "FREQUENCY", "RPO TARGET", "WORST CASE", "RETENTION", "VERDICT");
        for (DataClassAssessment d : f.dataClasses()) {
            classes.row(d.title(), Type.spelling(d.criticality()), d.frequency(), d.rpoTarget().map(x -> format(x)).orElse("real-time"),
                    worst(d.deliveredRpo()), format(d.retention()) + (d.retentionVerdict() == Verdict.MET ? "" : " (NOT covered)"),
                    d.verdict().label());
        }
        b.append(classes.render());
        for (DataClassAssessment d : f.dataClasses()) {
            b.append("  ").append(mark(d.verdict())).append(' ').append(d.title()).append(": target ")
                    .append(d.rpoTarget().map(x -> format(x)).orElse("real-time")).append(" (").append(d.rpoTargetSource())
                    .append(") → ").append(d.verdict().label()).append('\n');
            d.reasons().forEach(r -> b.append("      ").append(r).append('\n'));
        }
        if (!f.notes().isEmpty()) {
            b.append("\nNotes:\n");
            f.notes().forEach(n -> b.append("  - ").append(n).append('\n'));
        }
        long total = f.components().size() + f.dataClasses().size();
        b.append('\n').append(f.components().size()).append(" components, ").append(f.dataClasses().size()).append(" data classes: ")
                .append(total - f.gaps()).append(" met, ").append(f.gaps()).append(" NOT met.");
        b.append(f.gaps() > 0 ? " The configured protection cannot deliver every target (exit 3).\n"
                : " Recovery times are unmeasured until a drill runs.\n");
        return b.toString();
    }

    private static String worst(Optional<Duration> d) {
        return d.map(x -> format(x)).orElse("unprotected");
    }

    private static String mark(Verdict v) {
        return v == Verdict.NOT_MET ? "✗" : "✓";
    }
}
