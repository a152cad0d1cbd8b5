package dev.lifeboat.core.plan;

import java.time.Duration;
import java.util.List;

/**
 * A service the business cares about (User Authentication, Progress Tracking …), with its recovery targets, the
 * resources it needs, and the data classes it serves.
 */
public record Component(String name, String title, Criticality criticality, Duration rto, Duration rpo,
                        List<String> dependsOn, List<String> data) {
}
