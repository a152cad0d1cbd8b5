package dev.lifeboat.repository.retention;

import dev.lifeboat.core.plan.KeepPolicy;
import dev.lifeboat.repository.Snapshot;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.IsoFields;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Applies a {@link KeepPolicy} to the snapshots of one name (one resource's backups), newest first. A snapshot is
 * kept if any rule keeps it: the last N; everything within a duration of now; and the newest snapshot of each of
 * the last N hours, days, ISO weeks, months and years (UTC). The newest snapshot is always kept, so a policy can
 * never leave a resource without a recovery point, even when backups have stopped. With a duration, the newest
 * snapshot before the window is kept too: a recovery to a point early in the window starts from it (with WAL, any
 * point; without, the state as of then), so the window is really covered, not shortened by one backup interval.
 * The same holds for the calendar rules: "the newest of each of the last 7 years" counts the current, unfinished
 * year, so its oldest pick can be less than six years old; the newest snapshot at or before the policy's reach
 * ({@link KeepPolicy#reach}, e.g. 7 × 365 days) is kept too, so the reach that {@code plan check} promises is
 * what prune keeps. When every snapshot is younger than that reach, the oldest is kept: the window starts there.
 */
public final class Retention {
    private Retention() {
    }

    public static List<Decision> apply(List<Snapshot> snapshots, KeepPolicy policy, Instant now) {
        List<Snapshot> sorted = new ArrayList<>(snapshots);
        sorted.sort(Comparator.comparing(Snapshot::time).thenComparing(Snapshot::id).reversed());
        List<Bucket> buckets = List.of(
                new Bucket("hourly", policy.hourly(), t -> DateTimeFormatter.ofPattern("yyyy-MM-dd HH:00").format(t)),
                new Bucket("daily", policy.daily(), t -> DateTimeFormatter.ISO_LOCAL_DATE.format(t)),
                new Bucket("weekly", policy.weekly(), t -> t.get(IsoFields.WEEK_BASED_YEAR) + "-W" + String.format("%02d", t.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR))),
                new Bucket("monthly", policy.monthly(), t -> DateTimeFormatter.ofPattern("yyyy-MM").format(t)),
                new Bucket("yearly", policy.yearly(), t -> Integer.toString(t.getYear())));
        List<Decision> out = new ArrayList<>();
        boolean windowStartCovered = false;
        // The calendar reach (a backup interval of zero leaves 'last N' out: its reach depends on the cadence).
        java.time.Duration reach = policy.reach(java.time.Duration.ZERO);
        Instant horizon = now.minus(reach);
        boolean reachCovered = reach.isZero();
        for (int i = 0; i < sorted.size(); i++) {
            Snapshot s = sorted.get(i);
            ZonedDateTime t = s.time().atZone(ZoneOffset.UTC);
            List<String> reasons = new ArrayList<>();
            if (i == 0) {
                reasons.add("newest (always kept)");
            }
            if (policy.last().isPresent() && i < policy.last().get()) {
                reasons.add("last " + policy.last().get());
            }
            if (policy.within().isPresent() && !s.time().isBefore(now.minus(policy.within().get()))) {
                reasons.add("within " + dev.lifeboat.core.time.Durations.format(policy.within().get()));
            } else if (policy.within().isPresent() && !windowStartCovered) {
                windowStartCovered = true;
                reasons.add("covers the start of the " + dev.lifeboat.core.time.Durations.format(policy.within().get()) + " window");
            }
            for (Bucket b : buckets) {
                b.offer(t).ifPresent(reasons::add);
            }
            if (!reachCovered && !s.time().isAfter(horizon)) {
                reachCovered = true;
                if (reasons.isEmpty()) {
                    reasons.add("covers the policy's reach of " + dev.lifeboat.core.time.Durations.format(reach));
                }
            }
            out.add(new Decision(s, !reasons.isEmpty(), List.copyOf(reasons)));
        }
        if (!reachCovered && !out.isEmpty()) {
            // Every snapshot is younger than the reach: the window starts at the oldest, which recovery needs too.
            Decision oldest = out.remove(out.size() - 1);
            List<String> reasons = new ArrayList<>(oldest.reasons());
            if (reasons.isEmpty()) {
                reasons.add("oldest, within the policy's reach of " + dev.lifeboat.core.time.Durations.format(reach));
            }
            out.add(new Decision(oldest.snapshot(), true, List.copyOf(reasons)));
        }
        return out;
    }

    /** Keeps the newest snapshot of each of the last N periods. */
    private static final class Bucket {
        private final String name;
        private final int limit;
        private final Function<ZonedDateTime, String> period;
        private String last;
        private int used;

        Bucket(String name, Optional<Integer> limit, Function<ZonedDateTime, String> period) {
            this.name = name;
            this.limit = limit.orElse(0);
            this.period = period;
        }

        Optional<String> offer(ZonedDateTime t) {
            if (used >= limit) {
                return Optional.empty();
            }
            String p = period.apply(t);
            if (p.equals(last)) {
                return Optional.empty();
            }
            last = p;
            used++;
            return Optional.of(name + " " + p);
        }
    }
}
