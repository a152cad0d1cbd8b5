package dev.lifeboat.core.plan;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * One step of the escalation ladder: reached when the incident has lasted {@code after} (or at once when absent) or
 * when one of {@code alsoWhen} happens; whoever is notified must respond within {@code responseTime}.
 */
public record EscalationLevel(int level, String title, Optional<Duration> after, List<String> alsoWhen,
                              Duration responseTime, List<String> paged, List<String> channels, String authority) {
}
