package dev.lifeboat.core.plan;

import dev.lifeboat.core.time.CronExpression;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A job the agent runs: at cron times (UTC) or, for continuous jobs, all the time within {@code maxLag}.
 * An empty resource list means every resource the job applies to.
 */
public record Schedule(String name, Job job, List<String> resources, Optional<CronExpression> cron,
                       Optional<Duration> maxLag, Map<String, String> options, Optional<String> description) {
}
