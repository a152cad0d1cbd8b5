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
 * the job finished), and the timeline says so, as cron daemons such as systemd timers with Persistent=false do.
 */
public final class CronScheduler {
    private final Clock clock;
    private final BiConsumer<Schedule, Instant> job;
    private final BiConsumer<Schedule, String> timeline;
    private final Map<Schedule, Instant> next = new LinkedHashMap<>();

    public CronScheduler(List<Schedule> schedules, Clock clock, BiConsumer<Schedule, Instant> job, BiConsumer<Schedule, String> timeline) {
        this.clock = clock;
        this.job = job;
        this.timeline = timeline;
        Instant now = clock.instant();
        for (Schedule s : schedules) {
            s.cron().flatMap(c -> after(c, now)).ifPresent(t -> next.put(s, t));
        }
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
            try {
                job.accept(s, due);
            } catch (RuntimeException e) {
                timeline.accept(s, "failed: " + e.getMessage() + "; it runs again at its next firing");
            }
            ran++;
            Instant finished = clock.instant();
            Optional<Instant> following = after(s.cron().orElseThrow(), finished);
            Optional<Instant> skipped = after(s.cron().orElseThrow(), due);
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
