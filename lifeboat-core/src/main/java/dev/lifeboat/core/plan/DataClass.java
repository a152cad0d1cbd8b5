package dev.lifeboat.core.plan;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A kind of data with one protection requirement (User Profiles, Session Data …): how often it must be captured,
 * how long it is kept, an optional own recovery point objective, and where it lives.
 */
public record DataClass(String name, String title, Criticality criticality, Frequency backupFrequency,
                        Duration retention, Optional<Duration> rpo, KeepPolicy keep, List<Location> storedIn) {
}
