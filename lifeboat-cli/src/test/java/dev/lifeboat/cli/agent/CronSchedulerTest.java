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
                (sch, previous) -> sch.name().equals("nightly") ? Optional.of("app-db's newest backup is from 2026-11-23T02:00:04Z") : Optional.empty());
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

    @Test
    void aLateStartNamesTheScheduleThatHeldItUp() {
        // The base backup at 02:00 runs three hours; the 15-minute Redis job waits for it (one at a time) and must not be
        // told it ran past its own firings.
        MovableClock clock = new MovableClock(Instant.parse("2026-11-24T01:59:30Z"));
        List<String> said = new ArrayList<>();
        CronScheduler s = new CronScheduler(List.of(every("nightly", "0 2 * * *"), every("redis-rdb", "*/15 * * * *")), clock, (sch, due) -> {
            if (sch.name().equals("nightly")) {
                clock.now = clock.now.plus(Duration.ofHours(3));
            } else {
                clock.now = clock.now.plusSeconds(1);
            }
        }, (sch, msg) -> said.add(sch.name() + ": " + msg));
        clock.now = Instant.parse("2026-11-24T02:00:00Z");
        s.runDue();
        assertThat(said).anySatisfy(m -> assertThat(m).startsWith("redis-rdb: started 3h after its firing at 2026-11-24T02:00:00Z: schedule nightly "
                + "ran until 2026-11-24T05:00:00Z"));
        assertThat(said).as("the wait was nightly's, not an overrun of its own").noneSatisfy(m -> assertThat(m).startsWith("redis-rdb: ran past"));
    }
}
