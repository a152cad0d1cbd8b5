package dev.lifeboat.core.plan;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A whole DR plan: what matters (components, data classes), what holds it (resources), where backups go
 * (repository), when protection runs (schedules), and who is told what in an incident.
 */
public record Plan(String source, int version, String name, Optional<String> description, Objectives objectives,
                   Map<String, Component> components, Map<String, DataClass> dataClasses, Resources resources,
                   Optional<Repository> repository, Map<String, Schedule> schedules, Map<String, Contact> contacts,
                   List<EscalationLevel> escalation, Map<String, Channel> channels, Map<String, Template> templates,
                   Optional<Communication> communication) {
}
