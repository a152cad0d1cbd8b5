package dev.lifeboat.cli.repo;

import dev.lifeboat.core.plan.DataClass;
import dev.lifeboat.core.plan.KeepPolicy;
import dev.lifeboat.core.plan.Location;
import dev.lifeboat.core.plan.Plan;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import picocli.CommandLine.Option;

/**
 * Keep rules from the command line, or else from the plan: a snapshot named after a resource is kept if the keep
 * policy of any data class stored in that resource keeps it.
 */
public final class KeepOptions {
    @Option(names = "--keep-last", paramLabel = "N", description = "Keep the newest N snapshots of each name.")
    Integer last;
    @Option(names = "--keep-within", paramLabel = "DURATION", description = "Keep everything newer than DURATION (e.g. 30d).")
    String within;
    @Option(names = "--keep-hourly", paramLabel = "N", description = "Keep the newest snapshot of each of the last N hours.")
    Integer hourly;
    @Option(names = "--keep-daily", paramLabel = "N", description = "… of each of the last N days.")
    Integer daily;
    @Option(names = "--keep-weekly", paramLabel = "N", description = "… of each of the last N weeks.")
    Integer weekly;
    @Option(names = "--keep-monthly", paramLabel = "N", description = "… of each of the last N months.")
    Integer monthly;
    @Option(names = "--keep-yearly", paramLabel = "N", description = "… of each of the last N years.")
    Integer yearly;

    boolean given() {
        return last != null || within != null || hourly != null || daily != null || weekly != null || monthly != null || yearly != null;
    }

    /** The policy for each snapshot name. */
    Function<String, Optional<KeepPolicy>> policies(Optional<Plan> plan) {
        if (given()) {
            for (Integer n : new Integer[] {last, hourly, daily, weekly, monthly, yearly}) {
                if (n != null && n < 1) {
                    throw new dev.lifeboat.core.error.LifeboatException(dev.lifeboat.core.error.ErrorCode.USAGE, "a --keep-* count of " + n
                            + " keeps nothing by that rule", "Give 1 or more, or leave the rule out.");
                }
            }
            Optional<Duration> w;
            try {
                w = Optional.ofNullable(within).map(dev.lifeboat.core.time.Durations::parse);
            } catch (IllegalArgumentException e) {
                throw new dev.lifeboat.core.error.LifeboatException(dev.lifeboat.core.error.ErrorCode.USAGE, "--keep-within: " + e.getMessage(),
                        "Write a duration such as 30d or 12w.");
            }
            KeepPolicy p = new KeepPolicy(Optional.ofNullable(last), w, Optional.ofNullable(hourly), Optional.ofNullable(daily),
                    Optional.ofNullable(weekly), Optional.ofNullable(monthly), Optional.ofNullable(yearly));
            return name -> Optional.of(p);
        }
        return name -> plan.flatMap(pl -> forResource(pl, name));
    }

    /**
     * The union of the keep policies of the data classes stored in {@code resource}. A class whose keep policy reaches
     * back less than its retention (which {@code plan check} reports as not covered) also keeps everything within the
     * retention: the retention is the requirement, the keep policy only how to thin within it, and a prune must not
     * delete what the requirement says to keep.
     */
    static Optional<KeepPolicy> forResource(Plan plan, String resource) {
        List<KeepPolicy> policies = new ArrayList<>();
        for (DataClass d : plan.dataClasses().values()) {
            for (Location l : d.storedIn()) {
                if (l.resource().equals(resource)) {
                    policies.add(honouringRetention(d));
                }
            }
        }
        return policies.stream().reduce(KeepOptions::union);
    }

    static KeepPolicy honouringRetention(DataClass d) {
        Duration interval = d.backupFrequency() instanceof dev.lifeboat.core.plan.Frequency.Every e ? e.interval() : Duration.ZERO;
        return d.keep().reach(interval).compareTo(d.retention()) >= 0 ? d.keep() : union(d.keep(), KeepPolicy.within(d.retention()));
    }

    /** Keeps what either policy keeps: each rule at the larger of the two. */
    static KeepPolicy union(KeepPolicy a, KeepPolicy b) {
        return new KeepPolicy(maxI(a.last(), b.last()), maxD(a.within(), b.within()), maxI(a.hourly(), b.hourly()),
                maxI(a.daily(), b.daily()), maxI(a.weekly(), b.weekly()), maxI(a.monthly(), b.monthly()), maxI(a.yearly(), b.yearly()));
    }

    private static Optional<Integer> maxI(Optional<Integer> a, Optional<Integer> b) {
        return a.isEmpty() ? b : b.isEmpty() ? a : Optional.of(Math.max(a.get(), b.get()));
    }

    private static Optional<Duration> maxD(Optional<Duration> a, Optional<Duration> b) {
        return a.isEmpty() ? b : b.isEmpty() ? a : Optional.of(a.get().compareTo(b.get()) >= 0 ? a.get() : b.get());
    }
}
