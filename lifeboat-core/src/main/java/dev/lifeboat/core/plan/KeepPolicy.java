package dev.lifeboat.core.plan;

import java.time.Duration;
import java.util.Optional;

/**
 * Which recovery points to keep, after restic's and pgBackRest's policies: the last N, all within a duration, and
 * the newest of each of the last N hours, days, weeks, months and years. A point is kept if any rule keeps it.
 */
public record KeepPolicy(Optional<Integer> last, Optional<Duration> within, Optional<Integer> hourly,
                         Optional<Integer> daily, Optional<Integer> weekly, Optional<Integer> monthly,
                         Optional<Integer> yearly) {

    /** Keep everything taken within {@code period}: the default when a data class states only a retention. */
    public static KeepPolicy within(Duration period) {
        return new KeepPolicy(Optional.empty(), Optional.of(period), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty());
    }

    /**
     * How far back this policy is guaranteed to keep a recovery point when points are taken every
     * {@code interval}: the longest reach among its rules (months counted as 30 days, years as 365). Retention keeps
     * the newest point at or before the calendar rules' reach ({@code interval} zero), so that part holds whatever
     * the backups' timing; {@code last N} reaches (N − 1) intervals only while backups come at that interval (extra
     * manual backups shorten it).
     */
    public Duration reach(Duration interval) {
        Duration r = within.orElse(Duration.ZERO);
        r = max(r, last.map(n -> interval.multipliedBy(Math.max(0, n - 1))).orElse(Duration.ZERO));
        r = max(r, hourly.map(n -> Duration.ofHours(n)).orElse(Duration.ZERO));
        r = max(r, daily.map(n -> Duration.ofDays(n)).orElse(Duration.ZERO));
        r = max(r, weekly.map(n -> Duration.ofDays(7L * n)).orElse(Duration.ZERO));
        r = max(r, monthly.map(n -> Duration.ofDays(30L * n)).orElse(Duration.ZERO));
        r = max(r, yearly.map(n -> Duration.ofDays(365L * n)).orElse(Duration.ZERO));
        return r;
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}
