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
 * and {@link #runDue()} starts every schedule whose firing has come, once per firing, in plan order, each in a lane
 * of its own ({@code lanes}): a three-hour base backup does not hold up a 15-minute Redis snapshot. A schedule
 * never runs twice at once: firings missed while its own job ran are collapsed into one run (the next one is
 * computed from the time the job finished), and the timeline says so, as cron daemons such as systemd timers with
 * Persistent=false do. A prune runs alone, since it deletes what other jobs may be reading or writing: a due prune
 * waits until no other job runs, and no job starts while it runs; either wait is said once on the timeline.
 *
 * <p>A firing missed while the agent was not running at all (a reboot across 02:00) is run once at start when
 * {@code missed} says so (for backups: a resource whose newest backup is older than that firing), as systemd
 * timers with Persistent=true and anacron do; otherwise the next firing is awaited.
 *
 * <p>{@link #runDue()} and {@link #awaitRunning} are called from one thread (the agent's loop); jobs run on the lanes.
 */
public final class CronScheduler {
    private final Clock clock;
    private final BiConsumer<Schedule, Instant> job;
    private final BiConsumer<Schedule, String> timeline;
    private final Map<Schedule, Instant> next = new LinkedHashMap<>();
    private final java.util.concurrent.Executor lanes;
    /** Jobs started and not yet seen finished, with their firing and start. */
    private final Map<Schedule, Running> running = new LinkedHashMap<>();
    /** Schedules whose wait (for a prune, or a prune's for the others) was already said. */
    private final java.util.Set<Schedule> waitSaid = new java.util.HashSet<>();

    private record Running(Instant due, Instant started, java.util.concurrent.CompletableFuture<Instant> done) {
    }

    /** Runs each job on the calling thread, one at a time (for tests of the firing rules). */
    public CronScheduler(List<Schedule> schedules, Clock clock, BiConsumer<Schedule, Instant> job, BiConsumer<Schedule, String> timeline) {
        this(schedules, clock, job, timeline, (s, previous) -> Optional.empty(), Runnable::run);
    }

    /**
     * {@code missed} sees each schedule's last firing before now and says why it was missed (empty: it was not, or
     * nothing can tell), in which case that firing runs at the first {@link #runDue()}; jobs run on {@code lanes}
     * (a thread per running job; {@code Runnable::run} runs them one at a time on the caller's thread).
     */
    public CronScheduler(List<Schedule> schedules, Clock clock, BiConsumer<Schedule, Instant> job, BiConsumer<Schedule, String> timeline,
                         java.util.function.BiFunction<Schedule, Instant, Optional<String>> missed, java.util.concurrent.Executor lanes) {
        this.lanes = lanes;
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

    /** Starts every schedule that is due now and may start (see the class comment); returns how many started. */
    public int runDue() {
        int started = 0;
        for (Schedule s : new ArrayList<>(next.keySet())) {
            reap(); // a job that just ended no longer holds up a prune in this same pass
            Instant due = next.get(s);
            if (running.containsKey(s) || due == null || clock.instant().isBefore(due)) {
                continue;
            }
            boolean alone = exclusive(s);
            Optional<Schedule> prune = running.keySet().stream().filter(CronScheduler::exclusive).findFirst();
            if (prune.isPresent() || alone && !running.isEmpty()) {
                if (waitSaid.add(s)) {
                    timeline.accept(s, prune.isPresent() ? "due at " + due + "; waits while " + prune.get().name() + " prunes the repository"
                            : "due at " + due + "; a prune runs alone, so it waits until " + names(running.keySet())
                            + (running.size() == 1 ? " finishes" : " finish"));
                }
                continue;
            }
            waitSaid.remove(s);
            Instant startedAt = clock.instant();
            java.util.concurrent.CompletableFuture<Instant> done = new java.util.concurrent.CompletableFuture<>(); // completed with its end
            running.put(s, new Running(due, startedAt, done));
            started++;
            lanes.execute(() -> {
                try {
                    job.accept(s, due);
                } catch (RuntimeException e) {
                    timeline.accept(s, "failed: " + e.getMessage() + "; it runs again at its next firing");
                } finally {
                    done.complete(clock.instant());
                }
            });
        }
        reap();
        return started;
    }

    /** A prune deletes what other jobs may read or write: it runs alone. */
    private static boolean exclusive(Schedule s) {
        return s.job() == dev.lifeboat.core.plan.Job.PRUNE;
    }

    private static String names(java.util.Collection<Schedule> schedules) {
        return String.join(", ", schedules.stream().map(Schedule::name).toList());
    }

    /** Takes in the jobs that finished: each schedule's next firing counts from when its job ended. */
    private void reap() {
        for (var it = running.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Schedule, Running> e = it.next();
            if (!e.getValue().done().isDone()) {
                continue;
            }
            it.remove();
            Schedule s = e.getKey();
            Instant due = e.getValue().due();
            Instant started = e.getValue().started();
            Instant finished = e.getValue().done().join();
            Optional<Instant> following = after(s.cron().orElseThrow(), finished);
            // This job's own overrun: firings between its start and its end.
            Optional<Instant> skipped = after(s.cron().orElseThrow(), started.isAfter(due) ? started : due);
            if (following.isPresent() && skipped.isPresent() && skipped.get().isBefore(following.get())) {
                timeline.accept(s, "ran past its next firing at " + skipped.get() + "; firings missed meanwhile are skipped, not queued");
            }
            following.ifPresentOrElse(t -> next.put(s, t), () -> next.remove(s));
        }
    }

    /**
     * Waits for the jobs still running, up to {@code limit} (empty: as long as they take); returns the names of
     * those still running after it.
     */
    public List<String> awaitRunning(Optional<java.time.Duration> limit) {
        long deadline = limit.map(l -> System.nanoTime() + l.toNanos()).orElse(Long.MAX_VALUE);
        for (Running r : running.values()) {
            try {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                r.done().get(left, java.util.concurrent.TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                break;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (java.util.concurrent.ExecutionException e) {
                // the job's own failure was said on the timeline
            }
        }
        reap();
        return running.keySet().stream().map(Schedule::name).toList();
    }

    private static Optional<Instant> after(CronExpression c, Instant t) {
        return c.next(LocalDateTime.ofInstant(t, ZoneOffset.UTC)).map(l -> l.toInstant(ZoneOffset.UTC));
    }
}
