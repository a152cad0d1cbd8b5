package dev.lifeboat.postgres.wal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/** WAL retention, checked as a property over random archives, timelines and kept backups. */
class WalRetentionTest {
    static final long SIZE = WalSegment.DEFAULT_SIZE;
    static final Random SEEDS = new Random(20261124);

    @RepeatedTest(200)
    void everyKeptBackupCanStillReplayToTheNewestSegmentAndNothingAfterTheOldestStartIsDeleted() {
        long seed = SEEDS.nextLong();
        Random r = new Random(seed);
        // An archive: contiguous segment numbers, a promotion or two switching timelines, history files, a partial tail.
        List<WalRetention.Archived> archived = new ArrayList<>();
        int tli = 1;
        long first = 1 + r.nextInt(5);
        long last = first + 5 + r.nextInt(60);
        for (long n = first; n <= last; n++) {
            if (r.nextInt(25) == 0) {
                tli++;
                archived.add(new WalRetention.Archived(String.format("wal/c/%08X/%08X.history", tli, tli), Optional.empty()));
            }
            WalSegment s = new WalSegment(tli, n, SIZE);
            boolean partial = n == last && r.nextBoolean();
            archived.add(new WalRetention.Archived("wal/c/" + s.fileName() + (partial ? ".partial" : ""), Optional.of(s)));
        }
        List<WalSegment> kept = new ArrayList<>();
        int backups = r.nextInt(4);
        for (int i = 0; i < backups; i++) {
            long n = first + r.nextInt((int) (last - first + 1));
            kept.add(new WalSegment(1, n, SIZE));
        }

        Set<String> deleted = new HashSet<>(WalRetention.expired(archived, kept));

        List<WalRetention.Archived> remaining = archived.stream().filter(a -> !deleted.contains(a.object())).toList();
        for (WalSegment start : kept) {
            for (long n = start.number(); n <= last; n++) {
                long number = n;
                assertThat(remaining).as("seed %d: backup from %s needs segment %d", seed, start, n)
                        .anyMatch(a -> a.segment().map(s -> s.number() == number).orElse(false));
            }
        }
        assertThat(remaining).as("seed %d: history files are kept", seed)
                .containsAll(archived.stream().filter(a -> a.segment().isEmpty()).toList());
        if (kept.isEmpty()) {
            assertThat(deleted).as("seed %d: without a kept backup nothing is deleted", seed).isEmpty();
        } else {
            long oldest = kept.stream().mapToLong(WalSegment::number).min().orElseThrow();
            assertThat(archived.stream().filter(a -> a.segment().isPresent() && a.segment().get().number() < oldest).map(WalRetention.Archived::object))
                    .as("seed %d: everything before the oldest kept backup goes", seed).containsExactlyInAnyOrderElementsOf(deleted);
        }
    }

    @Test
    void aPartialBeforeTheOldestBackupIsDeletedToo() {
        WalSegment old = new WalSegment(1, 3, SIZE);
        List<WalRetention.Archived> archived = List.of(new WalRetention.Archived("wal/c/" + old.fileName() + ".partial", Optional.of(old)),
                new WalRetention.Archived("wal/c/" + old.next().fileName(), Optional.of(old.next())));
        assertThat(WalRetention.expired(archived, List.of(old.next()))).containsExactly("wal/c/" + old.fileName() + ".partial");
    }

    private static dev.lifeboat.repository.Snapshot backup(String id, String time, int timeline, String startLsn) {
        return new dev.lifeboat.repository.Snapshot(id + "0".repeat(56), new dev.lifeboat.repository.SnapshotManifest(1, time, time, "h", "postgres",
                "app-db", "/d", List.of(), "fixed/65536", List.of(), new dev.lifeboat.repository.SnapshotManifest.Stats(0, 0, 0, 0, 0, 0, 0, 0),
                java.util.Map.of("start_lsn", startLsn, "timeline", Integer.toString(timeline), "wal_segment_size", Long.toString(SIZE))));
    }

    @Test
    void theBackupTheNewestTimelineStartsFromIsKeptWhenThePolicyKeepsOnlyAbandonedOnes() {
        // Recovered to a point in segment 4: timeline 2 branched off there, while backups of timeline 1 went on
        // (hourly, segments 5 to 7). 'last 3' keeps those three; recovery along timeline 2 needs the one in segment 3.
        TimelineHistory history = TimelineHistory.parse(2, "1\t0/4000100\tbefore 2026-11-24 10:00:00+00\n");
        List<WalSegment> whole = new ArrayList<>();
        for (long n = 3; n <= 7; n++) {
            whole.add(new WalSegment(1, n, SIZE));
        }
        for (long n = 4; n <= 6; n++) {
            whole.add(new WalSegment(2, n, SIZE));
        }
        WalChain chain = WalChain.of(whole, List.of(), history);
        List<dev.lifeboat.repository.Snapshot> newestFirst = List.of(backup("dddddddd", "2026-11-24T13:00:00Z", 1, "0/7000028"),
                backup("cccccccc", "2026-11-24T12:00:00Z", 1, "0/6000028"), backup("bbbbbbbb", "2026-11-24T11:00:00Z", 1, "0/5000028"),
                backup("aaaaaaaa", "2026-11-24T10:00:00Z", 1, "0/3000028"));
        List<dev.lifeboat.repository.retention.Decision> byPolicy = new ArrayList<>();
        for (int i = 0; i < newestFirst.size(); i++) {
            byPolicy.add(new dev.lifeboat.repository.retention.Decision(newestFirst.get(i), i < 3, i < 3 ? List.of("last 3") : List.of()));
        }
        List<dev.lifeboat.repository.retention.Decision> out = WalRetention.keepTimelineStart(chain, byPolicy);
        assertThat(out).extracting(dev.lifeboat.repository.retention.Decision::keep).containsExactly(true, true, true, true);
        assertThat(out.get(3).reasons()).singleElement().asString().startsWith("newest backup on timeline 2's history");
        // Its WAL stays: nothing from segment 3 on is deleted.
        assertThat(WalRetention.expired(whole.stream().map(w -> new WalRetention.Archived(w.fileName(), Optional.of(w))).toList(),
                out.stream().filter(dev.lifeboat.repository.retention.Decision::keep).map(d -> WalSegment.of(1,
                        Lsn.parse(d.snapshot().manifest().labels().get("start_lsn")), SIZE)).toList())).isEmpty();
        // When the policy already keeps a backup the newest timeline starts from, nothing changes.
        byPolicy.set(3, new dev.lifeboat.repository.retention.Decision(newestFirst.get(3), true, List.of("daily")));
        assertThat(WalRetention.keepTimelineStart(chain, byPolicy)).isEqualTo(byPolicy);
    }
}
