package dev.lifeboat.core.plan;

import java.time.Duration;

/** The plan-wide goals: recovery time, recovery point, and availability in percent (99.9 for "three nines"). */
public record Objectives(Duration rto, Duration rpo, double availabilityPercent) {
    /** Downtime the availability target allows in a 365.25-day year, to the minute. */
    public Duration allowedDowntimePerYear() {
        double minutes = 365.25 * 1440 * (100.0 - availabilityPercent) / 100.0;
        return Duration.ofMinutes(Math.round(minutes));
    }
}
