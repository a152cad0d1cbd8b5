package dev.lifeboat.repository.retention;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lifeboat.core.plan.KeepPolicy;
import dev.lifeboat.repository.Snapshot;
import dev.lifeboat.repository.SnapshotManifest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RetentionTest {
    static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");

    static Snapshot at(String time) {
        return new Snapshot(Integer.toHexString(time.hashCode()) + "00000000", new SnapshotManifest(1, time, time, "h", "directory", "db",
                "/", List.of(), "fixed/1", List.of(), new SnapshotManifest.Stats(0, 0, 0, 0, 0, 0, 0, 0), Map.of()));
    }

    static KeepPolicy policy(Integer last, Duration within, Integer daily, Integer monthly) {
        return new KeepPolicy(Optional.ofNullable(last), Optional.ofNullable(within), Optional.empty(), Optional.ofNullable(daily),
                Optional.empty(), Optional.ofNullable(monthly), Optional.empty());
    }

    /** Every six hours for ten days, newest first. */
    static List<Snapshot> sixHourly() {
        List<Snapshot> out = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            out.add(at(NOW.minus(Duration.ofHours(6L * i)).toString()));
        }
        return out;
    }

    static List<String> kept(List<Decision> d) {
        return d.stream().filter(Decision::keep).map(x -> x.snapshot().manifest().time()).toList();
    }

    @Test
    void lastKeepsTheNewestN() {
        List<Decision> d = Retention.apply(sixHourly(), policy(3, null, null, null), NOW);
        assertThat(kept(d)).containsExactly("2026-11-23T12:00:00Z", "2026-11-23T06:00:00Z", "2026-11-23T00:00:00Z");
        assertThat(d.get(0).reasons()).containsExactly("newest (always kept)", "last 3");
    }

    @Test
    void dailyKeepsTheNewestOfEachDayAndTheSnapshotThreeDaysBack() {
        List<Decision> d = Retention.apply(sixHourly(), policy(null, null, 3, null), NOW);
        // Today counts as one of the three days, so the daily picks reach back only to the 21st; the snapshot at or
        // before now - 3 days is kept too, so a recovery to any point of the last three days has a backup to start from.
        assertThat(kept(d)).containsExactly("2026-11-23T12:00:00Z", "2026-11-22T18:00:00Z", "2026-11-21T18:00:00Z", "2026-11-20T12:00:00Z");
        assertThat(d.get(3).reasons()).containsExactly("daily 2026-11-22");
        assertThat(d.get(4).keep()).isFalse();
        assertThat(d.get(12).reasons()).containsExactly("covers the policy's reach of 3d");
    }

    @Test
    void sevenYearlyPicksReachSevenYearsBackNotFive() {
        // The review's case: daily backups for eight years, yearly: 7 on New Year's Day. The yearly picks are this
        // morning's and the last of 2019 to 2024, about five years back; the plan promises 7 x 365 days.
        Instant now = Instant.parse("2025-01-01T03:00:00Z");
        List<Snapshot> daily = new ArrayList<>();
        for (int i = 0; i < 8 * 366; i++) {
            daily.add(at(now.minus(Duration.ofDays(i)).toString()));
        }
        KeepPolicy yearly = new KeepPolicy(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.of(7));
        List<String> kept = kept(Retention.apply(daily, yearly, now));
        assertThat(Instant.parse(kept.get(kept.size() - 1))).isBeforeOrEqualTo(now.minus(Duration.ofDays(7 * 365)));
    }

    /**
     * The property prune relies on (WAL is deleted only below the oldest kept base backup): for random histories
     * (regular backups, gaps, extra manual ones) and random policies, every point in time within the policy's
     * calendar reach that some snapshot could recover still has a kept snapshot at or before it, and the newest is
     * always kept.
     */
    @Test
    void everyPointWithinTheReachKeepsASnapshotToStartFrom() {
        for (int seed = 0; seed < 400; seed++) {
            java.util.Random r = new java.util.Random(seed);
            Instant now = NOW.plus(Duration.ofMinutes(r.nextInt(60 * 24 * 400)));
            List<Snapshot> history = new ArrayList<>();
            Instant t = now.minus(Duration.ofMinutes(r.nextInt(120)));
            long step = 60L * (1 + r.nextInt(24 * 3)); // minutes between backups: an hour to three days
            while (history.size() < 300) {
                history.add(at(t.toString()));
                long gap = r.nextInt(10) == 0 ? step * (2 + r.nextInt(20)) : r.nextInt(10) == 0 ? 1 + r.nextInt((int) step) : step;
                t = t.minus(Duration.ofMinutes(gap));
            }
            KeepPolicy policy = new KeepPolicy(maybe(r, 1 + r.nextInt(10)), r.nextBoolean() ? Optional.of(Duration.ofHours(1 + r.nextInt(24 * 60))) : Optional.empty(),
                    maybe(r, 1 + r.nextInt(48)), maybe(r, 1 + r.nextInt(30)), maybe(r, 1 + r.nextInt(8)), maybe(r, 1 + r.nextInt(12)), maybe(r, 1 + r.nextInt(3)));
            List<Decision> d = Retention.apply(history, policy, now);
            assertThat(d.get(0).keep()).as("seed %d: newest kept", seed).isTrue();
            Instant oldestKept = d.stream().filter(Decision::keep).map(x -> x.snapshot().time()).min(Instant::compareTo).orElseThrow();
            Instant oldest = history.stream().map(Snapshot::time).min(Instant::compareTo).orElseThrow();
            Instant horizon = now.minus(policy.reach(Duration.ZERO));
            // Recovering to any point from the horizon (or the first backup, if later) on needs a kept snapshot at or
            // before it: the oldest kept one must be at or before that start.
            Instant windowStart = oldest.isAfter(horizon) ? oldest : horizon;
            assertThat(oldestKept).as("seed %d, policy %s: a kept snapshot at or before %s", seed, policy, windowStart)
                    .isBeforeOrEqualTo(windowStart);
        }
    }

    private static Optional<Integer> maybe(java.util.Random r, int n) {
        return r.nextInt(3) == 0 ? Optional.of(n) : Optional.empty();
    }

    @Test
    void withinKeepsEverythingYoungerThanTheDurationAndTheSnapshotTheWindowStartsFrom() {
        // Five snapshots are younger than a day; a recovery to a point early in that day starts from the one before.
        List<Decision> d = Retention.apply(sixHourly(), policy(null, Duration.ofDays(1), null, null), NOW);
        assertThat(kept(d)).hasSize(6);
        assertThat(d.get(5).reasons()).containsExactly("covers the start of the 1d window");
        assertThat(d.get(6).keep()).isFalse();
    }

    @Test
    void rulesCombineAndTheNewestSurvivesEvenWhenBackupsStopped() {
        List<Snapshot> old = List.of(at("2026-01-01T02:00:00Z"), at("2025-12-01T02:00:00Z"));
        List<Decision> d = Retention.apply(old, policy(null, Duration.ofDays(7), null, null), NOW);
        assertThat(kept(d)).containsExactly("2026-01-01T02:00:00Z");
        assertThat(d.get(1).keep()).isFalse();
        // Two months reach 60 days, further back than these ten days of backups: the oldest starts the window.
        List<Decision> monthly = Retention.apply(sixHourly(), policy(1, null, null, 2), NOW);
        assertThat(kept(monthly)).containsExactly("2026-11-23T12:00:00Z", "2026-11-13T18:00:00Z");
        assertThat(monthly.get(39).reasons()).containsExactly("oldest, within the policy's reach of 60d");
    }
}
