package dev.lifeboat.cli.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lifeboat.core.plan.Job;
import dev.lifeboat.core.plan.Schedule;
import dev.lifeboat.core.time.CronExpression;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The agent's cron scheduling on a clock the test moves. */
class CronSchedulerTest {
    /** A clock the test sets. */
    static final class MovableClock extends Clock {
        Instant now;

        MovableClock(Instant now) {
            this.now = now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    static Schedule every(String name, String cron) {
        return new Schedule(name, Job.BACKUP, List.of("cache"), Optional.of(CronExpression.parse(cron)), Optional.empty(), Map.of(), Optional.empty());
    }

    @Test
    void runsEachScheduleOncePerFiringAtItsTime() {
        MovableClock clock = new MovableClock(Instant.parse("2026-11-24T10:07:30Z"));
        List<String> ran = new ArrayList<>();
        CronScheduler s = new CronScheduler(List.of(every("redis-rdb", "*/15 * * * *"), every("nightly", "0 2 * * *")), clock,
                (sch, due) -> ran.add(sch.name() + "@" + due), (sch, msg) -> { });
        assertThat(s.nextRuns()).containsEntry("redis-rdb", Instant.parse("2026-11-24T10:15:00Z"))
                .containsEntry("nightly", Instant.parse("2026-11-25T02:00:00Z"));
        assertThat(s.runDue()).isZero();
        clock.now = Instant.parse("2026-11-24T10:15:00Z");
        assertThat(s.runDue()).isEqualTo(1);
        assertThat(s.runDue()).as("once per firing").isZero();
        clock.now = Instant.parse("2026-11-24T10:29:59Z");
        assertThat(s.runDue()).isZero();
        clock.now = Instant.parse("2026-11-24T10:30:01Z");
        s.runDue();
        assertThat(ran).containsExactly("redis-rdb@2026-11-24T10:15:00Z", "redis-rdb@2026-11-24T10:30:00Z");
    }

    @Test
    void aJobRunningPastItsNextFiringSkipsTheMissedOnesAndSaysSo() {
        MovableClock clock = new MovableClock(Instant.parse("2026-11-24T10:00:30Z"));
        List<String> said = new ArrayList<>();
        List<Instant> ran = new ArrayList<>();
        CronScheduler s = new CronScheduler(List.of(every("redis-rdb", "*/15 * * * *")), clock, (sch, due) -> {
            ran.add(due);
            clock.now = clock.now.plus(Duration.ofMinutes(40));
        }, (sch, msg) -> said.add(msg));
        clock.now = Instant.parse("2026-11-24T10:15:00Z");
        s.runDue();
        assertThat(said).singleElement().asString().contains("missed", "skipped");
        assertThat(s.nextRuns()).containsEntry("redis-rdb", Instant.parse("2026-11-24T11:00:00Z"));
        assertThat(ran).hasSize(1);
    }

    @Test
    void aFailingJobIsReportedAndRunsAgainAtItsNextFiring() {
        MovableClock clock = new MovableClock(Instant.parse("2026-11-24T10:14:00Z"));
        List<String> said = new ArrayList<>();
        CronScheduler s = new CronScheduler(List.of(every("redis-rdb", "*/15 * * * *")), clock, (sch, due) -> {
            throw new IllegalStateException("server unreachable");
        }, (sch, msg) -> said.add(msg));
        clock.now = Instant.parse("2026-11-24T10:15:00Z");
        assertThat(s.runDue()).isEqualTo(1);
        assertThat(said).singleElement().asString().contains("server unreachable", "next firing");
        assertThat(s.nextRuns()).containsEntry("redis-rdb", Instant.parse("2026-11-24T10:30:00Z"));
    }

    @Test
    void aFiringMissedWhileTheAgentWasDownRunsAtStartWhenTheJobSaysSo() {
        // The host rebooted from 01:58 to 02:03: the nightly backup at 02:00 did not run, and the newest backup is
        // yesterday's. The 15-minute one is not judged missed (its job says so), so it waits for 02:15.
        MovableClock clock = new MovableClock(Instant.parse("2026-11-24T02:03:00Z"));
        List<String> said = new ArrayList<>();
        List<String> ran = new ArrayList<>();
        CronScheduler s = new CronScheduler(List.of(every("nightly", "0 2 * * *"), every("redis-rdb", "*/15 * * * *")), clock,
                (sch, due) -> ran.add(sch.name() + "@" + due), (sch, msg) -> said.add(sch.name() + ": " + msg),
                (sch, previous) -> sch.name().equals("nightly") ? Optional.of("app-db's newest backup is from 2026-11-23T02:00:04Z") : Optional.empty(),
                Runnable::run);
        assertThat(said).singleElement().asString().isEqualTo("nightly: missed its firing at 2026-11-24T02:00:00Z while the agent was not running "
                + "(app-db's newest backup is from 2026-11-23T02:00:04Z); running it now");
        assertThat(s.runDue()).isEqualTo(1);
        assertThat(ran).containsExactly("nightly@2026-11-24T02:00:00Z");
        assertThat(s.nextRuns()).containsEntry("nightly", Instant.parse("2026-11-25T02:00:00Z"))
                .containsEntry("redis-rdb", Instant.parse("2026-11-24T02:15:00Z"));
    }

    @Test
    void theLastFiringIsFoundForSparseAndDenseSchedules() {
        Instant now = Instant.parse("2026-11-24T10:07:30Z");
        assertThat(CronScheduler.previous(CronExpression.parse("* * * * *"), now)).contains(Instant.parse("2026-11-24T10:07:00Z"));
        assertThat(CronScheduler.previous(CronExpression.parse("0 2 * * *"), now)).contains(Instant.parse("2026-11-24T02:00:00Z"));
        assertThat(CronScheduler.previous(CronExpression.parse("0 3 1 1 *"), now)).contains(Instant.parse("2026-01-01T03:00:00Z"));
        assertThat(CronScheduler.previous(CronExpression.parse("0 0 29 2 *"), now)).contains(Instant.parse("2024-02-29T00:00:00Z"));
    }

    static Schedule prune(String name, String cron) {
        return new Schedule(name, Job.PRUNE, List.of(), Optional.of(CronExpression.parse(cron)), Optional.empty(), Map.of(), Optional.empty());
    }

    @Test
    void aLongJobDoesNotHoldUpAnotherSchedule() throws Exception {
        // The base backup at 02:00 runs for hours; the 15-minute Redis snapshot runs beside it, at its own firings.
        MovableClock clock = new MovableClock(Instant.parse("2026-11-24T01:59:30Z"));
        java.util.concurrent.CountDownLatch nightlyMayEnd = new java.util.concurrent.CountDownLatch(1);
        List<String> ran = java.util.Collections.synchronizedList(new ArrayList<>());
        java.util.concurrent.ExecutorService lanes = java.util.concurrent.Executors.newCachedThreadPool();
        try {
            CronScheduler s = new CronScheduler(List.of(every("nightly", "0 2 * * *"), every("redis-rdb", "*/15 * * * *")), clock, (sch, due) -> {
                if (sch.name().equals("nightly")) {
                    await(nightlyMayEnd);
                }
                ran.add(sch.name() + "@" + due);
            }, (sch, msg) -> { }, (sch, previous) -> Optional.empty(), lanes);
            clock.now = Instant.parse("2026-11-24T02:00:00Z");
            assertThat(s.runDue()).as("both start").isEqualTo(2);
            waitFor(() -> ran.contains("redis-rdb@2026-11-24T02:00:00Z"));
            clock.now = Instant.parse("2026-11-24T02:15:00Z");
            assertThat(s.runDue()).as("the next Redis firing, the base backup still running").isEqualTo(1);
            waitFor(() -> ran.contains("redis-rdb@2026-11-24T02:15:00Z"));
            assertThat(ran).doesNotContain("nightly@2026-11-24T02:00:00Z");
            nightlyMayEnd.countDown();
            assertThat(s.awaitRunning(Optional.of(Duration.ofSeconds(10)))).isEmpty();
            assertThat(ran).contains("nightly@2026-11-24T02:00:00Z");
        } finally {
            nightlyMayEnd.countDown();
            lanes.shutdownNow();
        }
    }

    @Test
    void aPruneRunsAloneAndSaysWhatItWaitsFor() throws Exception {
        MovableClock clock = new MovableClock(Instant.parse("2026-11-24T01:59:30Z"));
        java.util.concurrent.CountDownLatch backupMayEnd = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch pruneMayEnd = new java.util.concurrent.CountDownLatch(1);
        List<String> said = java.util.Collections.synchronizedList(new ArrayList<>());
        List<String> ran = java.util.Collections.synchronizedList(new ArrayList<>());
        java.util.concurrent.ExecutorService lanes = java.util.concurrent.Executors.newCachedThreadPool();
        try {
            CronScheduler s = new CronScheduler(List.of(every("nightly", "0 2 * * *"), prune("prune", "0 2 * * *"),
                    every("redis-rdb", "*/15 * * * *")), clock, (sch, due) -> {
                        ran.add("start " + sch.name());
                        await(sch.name().equals("nightly") ? backupMayEnd : sch.name().equals("prune") ? pruneMayEnd
                                : new java.util.concurrent.CountDownLatch(0));
                        ran.add("end " + sch.name());
                    }, (sch, msg) -> said.add(sch.name() + ": " + msg), (sch, previous) -> Optional.empty(), lanes);
            clock.now = Instant.parse("2026-11-24T02:00:00Z");
            assertThat(s.runDue()).as("the backups start, the prune waits").isEqualTo(2);
            assertThat(said).anySatisfy(m -> assertThat(m).startsWith("prune: due at 2026-11-24T02:00:00Z; a prune runs alone, so it waits until nightly"));
            waitFor(() -> ran.contains("end redis-rdb"));
            assertThat(s.runDue()).as("still waiting for nightly").isZero();
            backupMayEnd.countDown();
            waitFor(() -> ran.contains("end nightly"));
            assertThat(s.runDue()).as("now the prune, alone").isEqualTo(1);
            clock.now = Instant.parse("2026-11-24T02:15:00Z");
            assertThat(s.runDue()).as("the Redis firing waits for the prune").isZero();
            assertThat(said).anySatisfy(m -> assertThat(m).isEqualTo("redis-rdb: due at 2026-11-24T02:15:00Z; waits while prune prunes the repository"));
            pruneMayEnd.countDown();
            waitFor(() -> ran.contains("end prune"));
            assertThat(s.runDue()).isEqualTo(1);
            s.awaitRunning(Optional.of(Duration.ofSeconds(10)));
            assertThat(ran.indexOf("start prune")).isGreaterThan(ran.indexOf("end nightly")).isGreaterThan(ran.indexOf("end redis-rdb"));
            assertThat(ran.lastIndexOf("start redis-rdb")).isGreaterThan(ran.indexOf("end prune"));
            assertThat(said.stream().filter(m -> m.startsWith("prune: due"))).as("said once").hasSize(1);
        } finally {
            backupMayEnd.countDown();
            pruneMayEnd.countDown();
            lanes.shutdownNow();
        }
    }

    private static void await(java.util.concurrent.CountDownLatch latch) {
        try {
            if (!latch.await(20, java.util.concurrent.TimeUnit.SECONDS)) {
                throw new IllegalStateException("the test never released the job");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waited 10 s").isLessThan(deadline);
            Thread.sleep(5);
        }
    }
}
