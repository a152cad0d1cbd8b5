package dev.lifeboat.cli.agent;

import dev.lifeboat.core.plan.Schedule;
import dev.lifeboat.core.time.CronExpression;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;

/**
 * Runs the plan's cron schedules: each schedule's next firing (UTC) is computed from the time the agent started,
 * and {@link #runDue()} runs every schedule whose firing has come, once per firing, in plan order, on the calling
 * thread. Firings missed while a long job ran are collapsed into one run (the next one is computed from the time
 * the job finished), and the timeline says so, as cron daemons such as systemd timers with Persistent=false do; a
 * schedule that starts late because another one was running says which one.
 *
 * <p>A firing missed while the agent was not running at all (a reboot across 02:00) is run once at start when
 * {@code missed} says so (for backups: a resource whose newest backup is older than that firing), as systemd
 * timers with Persistent=true and anacron do; otherwise the next firing is awaited.
 */
public final class CronScheduler {
    private final Clock clock;
    private final BiConsumer<Schedule, Instant> job;
    private final BiConsumer<Schedule, String> timeline;
    private final Map<Schedule, Instant> next = new LinkedHashMap<>();
    /** The schedule that ran last and when it finished, to explain a late start. */
    private String lastRan;
    private Instant lastFinished;

    public CronScheduler(List<Schedule> schedules, Clock clock, BiConsumer<Schedule, Instant> job, BiConsumer<Schedule, String> timeline) {
        this(schedules, clock, job, timeline, (s, previous) -> Optional.empty());
    }

    /**
     * As above; {@code missed} sees each schedule's last firing before now and says why it was missed (empty: it
     * was not, or nothing can tell), in which case that firing runs at the first {@link #runDue()}.
     */
    public CronScheduler(List<Schedule> schedules, Clock clock, BiConsumer<Schedule, Instant> job, BiConsumer<Schedule, String> timeline,
                         java.util.function.BiFunction<Schedule, Instant, Optional<String>> missed) {
        this.clock = clock;
        this.job = job;
        this.timeline = timeline;
        Instant now = clock.instant();
        for (Schedule s : schedules) {
            Optional<Instant> previous = s.cron().flatMap(c -> previous(c, now));
            Optional<String> why = previous.flatMap(p -> missed.apply(s, p));
            if (why.isPresent()) {
                timeline.accept(s, "missed its firing at " + previous.get() + " while the agent was not running (" + why.get() + "); running it now");
                next.put(s, previous.get());
            } else {
                s.cron().flatMap(c -> after(c, now)).ifPresent(t -> next.put(s, t));
            }
        }
    }

    /** The last firing at or before {@code now}, looking back up to about eight years. */
    static Optional<Instant> previous(CronExpression c, Instant now) {
        for (java.time.Duration window = java.time.Duration.ofHours(1); window.toDays() <= 366 * 8 * 2; window = window.multipliedBy(2)) {
            Optional<Instant> t = after(c, now.minus(window));
            if (t.isPresent() && !t.get().isAfter(now)) {
                Instant last = t.get();
                for (Optional<Instant> n = after(c, last); n.isPresent() && !n.get().isAfter(now); n = after(c, n.get())) {
                    last = n.get();
                }
                return Optional.of(last);
            }
        }
        return Optional.empty();
    }

    /** When each schedule runs next. */
    public Map<String, Instant> nextRuns() {
        Map<String, Instant> m = new LinkedHashMap<>();
        next.forEach((s, t) -> m.put(s.name(), t));
        return m;
    }

    /** Runs every schedule that is due now; returns how many ran. */
    public int runDue() {
        int ran = 0;
        for (Schedule s : new ArrayList<>(next.keySet())) {
            Instant due = next.get(s);
            if (due == null || clock.instant().isBefore(due)) {
                continue;
            }
            Instant started = clock.instant();
            if (lastRan != null && !lastRan.equals(s.name()) && lastFinished.isAfter(due) && started.isAfter(due.plusSeconds(60))) {
                timeline.accept(s, "started " + dev.lifeboat.core.time.Durations.formatBrief(java.time.Duration.between(due, started))
                        + " after its firing at " + due + ": schedule " + lastRan + " ran until " + lastFinished
                        + " (schedules run one at a time)");
            }
            try {
                job.accept(s, due);
            } catch (RuntimeException e) {
                timeline.accept(s, "failed: " + e.getMessage() + "; it runs again at its next firing");
            }
            ran++;
            Instant finished = clock.instant();
            lastRan = s.name();
            lastFinished = finished;
            Optional<Instant> following = after(s.cron().orElseThrow(), finished);
            // This job's own overrun: firings between its start and its end (a late start is explained above).
            Optional<Instant> skipped = after(s.cron().orElseThrow(), started.isAfter(due) ? started : due);
            if (following.isPresent() && skipped.isPresent() && skipped.get().isBefore(following.get())) {
                timeline.accept(s, "ran past its next firing at " + skipped.get() + "; firings missed meanwhile are skipped, not queued");
            }
            following.ifPresentOrElse(t -> next.put(s, t), () -> next.remove(s));
        }
        return ran;
    }

    private static Optional<Instant> after(CronExpression c, Instant t) {
        return c.next(LocalDateTime.ofInstant(t, ZoneOffset.UTC)).map(l -> l.toInstant(ZoneOffset.UTC));
    }
}
