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
}
