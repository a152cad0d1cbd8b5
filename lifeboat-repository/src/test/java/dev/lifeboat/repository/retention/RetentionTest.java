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
    void dailyKeepsTheNewestOfEachDay() {
        List<Decision> d = Retention.apply(sixHourly(), policy(null, null, 3, null), NOW);
        assertThat(kept(d)).containsExactly("2026-11-23T12:00:00Z", "2026-11-22T18:00:00Z", "2026-11-21T18:00:00Z");
        assertThat(d.get(3).reasons()).containsExactly("daily 2026-11-22");
        assertThat(d.get(4).keep()).isFalse();
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
        List<Decision> monthly = Retention.apply(sixHourly(), policy(1, null, null, 2), NOW);
        assertThat(kept(monthly)).containsExactly("2026-11-23T12:00:00Z");
    }
}
