package dev.lifeboat.core.time;

import java.time.Duration;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Optional;

/**
 * The cadence of a set of cron schedules taken together: the longest time between two consecutive firings of any
 * of them. For backups this is the worst-case recovery point objective those schedules alone can deliver (plus the
 * backup's own duration, which a plan cannot know in advance).
 */
public final class Cadence {
    /** Four years from a fixed start: every month length, weekday pattern and one leap day are seen. */
    private static final LocalDateTime FROM = LocalDateTime.of(2027, 1, 1, 0, 0);
    private static final LocalDateTime TO = FROM.plusYears(4);

    private Cadence() {
    }

    /** The longest gap between consecutive firings of the merged schedules, or empty when the list is empty. */
    public static Optional<Duration> longestGap(List<CronExpression> schedules) {
        if (schedules.isEmpty()) {
            return Optional.empty();
        }
        LocalDateTime[] next = new LocalDateTime[schedules.size()];
        for (int i = 0; i < next.length; i++) {
            next[i] = schedules.get(i).next(FROM.minusMinutes(1)).orElse(null);
        }
        LocalDateTime previous = null;
        Duration longest = Duration.ZERO;
        while (true) {
            int earliest = -1;
            for (int i = 0; i < next.length; i++) {
                if (next[i] != null && (earliest < 0 || next[i].isBefore(next[earliest]))) {
                    earliest = i;
                }
            }
            if (earliest < 0 || next[earliest].isAfter(TO)) {
                break;
            }
            LocalDateTime at = next[earliest];
            // The window's edges count too: a schedule that fires once in four years (29 February) has gaps of years,
            // not none.
            if (previous == null && Duration.between(FROM, at).compareTo(longest) > 0) {
                longest = Duration.between(FROM, at);
            }
            if (previous != null && at.isAfter(previous)) {
                Duration gap = Duration.between(previous, at);
                if (gap.compareTo(longest) > 0) {
                    longest = gap;
                }
            }
            previous = at;
            for (int i = 0; i < next.length; i++) {
                if (next[i] != null && !next[i].isAfter(at)) {
                    next[i] = schedules.get(i).next(at).orElse(null);
                }
            }
        }
        Duration tail = previous == null ? Duration.between(FROM, TO) : Duration.between(previous, TO);
        return Optional.of(tail.compareTo(longest) > 0 ? tail : longest);
    }
}
