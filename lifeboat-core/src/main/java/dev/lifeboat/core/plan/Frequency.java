package dev.lifeboat.core.plan;

import dev.lifeboat.core.time.Durations;
import java.time.Duration;

/** How often a data class must be captured: continuously ("real-time") or at most every {@code interval}. */
public sealed interface Frequency {
    /** Continuous capture: only streaming or mirroring protection satisfies it. */
    record RealTime() implements Frequency {
        @Override
        public String toString() {
            return "real-time";
        }
    }

    record Every(Duration interval) implements Frequency {
        @Override
        public String toString() {
            if (interval.equals(Duration.ofHours(1))) {
                return "hourly";
            }
            if (interval.equals(Duration.ofDays(1))) {
                return "daily";
            }
            return interval.equals(Duration.ofDays(7)) ? "weekly" : "every " + Durations.format(interval);
        }
    }
}
