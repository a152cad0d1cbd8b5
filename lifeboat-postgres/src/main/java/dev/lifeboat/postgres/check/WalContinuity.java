package dev.lifeboat.postgres.check;

import dev.lifeboat.postgres.wal.Lsn;
import dev.lifeboat.postgres.wal.WalArchive;
import dev.lifeboat.postgres.wal.WalChain;
import dev.lifeboat.postgres.wal.WalSegment;
import dev.lifeboat.repository.Snapshot;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Checks that a cluster's archived WAL can carry every backup forward: from each backup's first segment to the
 * newest archived one, no segment may be missing. Reports each gap by the segments it spans and the backups that
 * cannot be replayed past it, and how old the newest archived WAL is.
 */
public final class WalContinuity {
    private WalContinuity() {
    }

    /** A run of missing segments: replay from the backups listed stops before {@code first}. */
    public record Gap(String first, String last, long segments, List<String> backups) {
        public String describe() {
            return segments == 1 ? "WAL segment " + first + " is missing"
                    : segments + " WAL segments " + first + " .. " + last + " are missing";
        }
    }

    /**
     * @param newest       the newest archived segment (whole or partial), if any
     * @param newestAge    how old the newest archived WAL object is
     * @param recoverableTo the end of continuous WAL from the newest backup
     */
    /**
     * The outcome; {@code offHistory} names the backups replay along the newest timeline cannot start from (taken on
     * a timeline after it branched away: the old primary after a promotion, or before a point-in-time fork), which
     * the gap search and {@code recoverableTo} leave out.
     */
    public record Report(List<Gap> gaps, Optional<String> newest, Optional<Duration> newestAge, Optional<Lsn> recoverableTo,
                         int segments, List<String> offHistory, int timeline) {
        /** No gap, and at least one backup replay along the newest timeline can start from. */
        public boolean ok() {
            return gaps.isEmpty() && (newest.isEmpty() || recoverableTo.isPresent());
        }
    }

    public static Report check(WalArchive archive, List<Snapshot> backups, Instant now) {
        if (backups.isEmpty()) {
            return new Report(List.of(), Optional.empty(), Optional.empty(), Optional.empty(), 0, List.of(), 0);
        }
        long segmentSize = Long.parseLong(backups.get(0).manifest().labels().get("wal_segment_size"));
        // By segment number along the newest timeline's history (WalChain): after a promotion the new timeline
        // continues the numbering. A partial segment counts as present only as the end of the archived WAL: one
        // followed by later segments (a slot replaced while it was filling) is a hole replay cannot pass.
        WalChain chain = WalChain.of(archive, segmentSize);
        List<Gap> gaps = new ArrayList<>();
        Optional<WalSegment> newest = chain.newest().map(WalChain.Link::segment);
        Optional<Lsn> recoverableTo = Optional.empty();
        List<String> offHistory = backups.stream().filter(b -> !chain.leadsFrom(b)).map(Snapshot::shortId).toList();
        backups = backups.stream().filter(chain::leadsFrom).toList();
        if (newest.isPresent() && !backups.isEmpty()) {
            long last = newest.get().number();
            for (Snapshot b : backups) {
                int timeline = Integer.parseInt(b.manifest().labels().get("timeline"));
                long n = WalSegment.of(timeline, Lsn.parse(b.manifest().labels().get("start_lsn")), segmentSize).number();
                while (n <= last) {
                    if (!present(chain, n, last)) {
                        long gapStart = n;
                        while (!present(chain, n, last) && n <= last) {
                            n++;
                        }
                        record(gaps, new WalSegment(timeline, gapStart, segmentSize).fileName(), new WalSegment(timeline, n - 1, segmentSize).fileName(),
                                n - gapStart, b.shortId());
                        continue;
                    }
                    n++;
                }
            }
            Snapshot latest = backups.get(backups.size() - 1);
            int tli = Integer.parseInt(latest.manifest().labels().get("timeline"));
            long n = WalSegment.of(tli, Lsn.parse(latest.manifest().labels().get("start_lsn")), segmentSize).number();
            while (present(chain, n, newest.get().number())) {
                n++;
            }
            recoverableTo = Optional.of(new WalSegment(newest.get().timeline(), n, segmentSize).start());
        }
        Optional<Instant> newestTime = archive.newestObjectTime();
        return new Report(gaps, newest.map(WalSegment::fileName), newestTime.map(t -> Duration.between(t, now)), recoverableTo,
                chain.size(), offHistory, chain.history().timeline());
    }

    private static boolean present(WalChain chain, long n, long last) {
        return chain.at(n).map(l -> l.whole() || n == last).orElse(false);
    }

    private static void record(List<Gap> gaps, String first, String last, long n, String backup) {
        for (int i = 0; i < gaps.size(); i++) {
            Gap g = gaps.get(i);
            if (g.first().equals(first)) {
                List<String> bs = new ArrayList<>(g.backups());
                bs.add(backup);
                gaps.set(i, new Gap(g.first(), g.last(), g.segments(), bs));
                return;
            }
        }
        gaps.add(new Gap(first, last, n, List.of(backup)));
    }
}
