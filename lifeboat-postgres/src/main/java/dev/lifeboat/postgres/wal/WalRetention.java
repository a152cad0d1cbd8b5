package dev.lifeboat.postgres.wal;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Which archived WAL a cluster no longer needs, given the base backups that are kept: every segment (whole or
 * partial, on any timeline) before the segment the oldest kept backup starts in. Everything from there on is
 * kept, so each kept backup can still replay to the newest archived point, and the recovery window is exactly
 * the kept backups' reach. Timeline history files are always kept (they are tiny and recovery reads them to
 * follow promotions). Without any kept backup nothing is deleted: WAL whose backups are gone is reported, not
 * silently dropped. The newest backup the newest timeline can be replayed from is always kept
 * ({@link #keepTimelineStart}).
 */
public final class WalRetention {
    private WalRetention() {
    }

    /** An archived WAL object: its object name and, when it is a (whole or partial) segment, which one. */
    public record Archived(String object, Optional<WalSegment> segment) {
    }

    /**
     * After a promotion or a point-in-time fork, the newest backups may be on a timeline replay no longer follows
     * (the old primary's, after the branch point), and a keep policy alone could keep only those and let the WAL of
     * the backup the newest timeline starts from go. So the newest backup {@code chain} can be replayed from is kept
     * too.
     *
     * @param decisions one cluster's retention decisions, newest first
     * @return the same decisions, with that backup kept
     */
    public static List<dev.lifeboat.repository.retention.Decision> keepTimelineStart(WalChain chain,
                                                                                      List<dev.lifeboat.repository.retention.Decision> decisions) {
        List<dev.lifeboat.repository.retention.Decision> out = new ArrayList<>(decisions);
        for (int i = 0; i < out.size(); i++) {
            dev.lifeboat.repository.retention.Decision d = out.get(i);
            if (d.snapshot().manifest().labels().containsKey("start_lsn") && chain.leadsFrom(d.snapshot())) {
                if (!d.keep()) {
                    out.set(i, new dev.lifeboat.repository.retention.Decision(d.snapshot(), true, List.of("newest backup on timeline "
                            + chain.history().timeline() + "'s history (newer ones are on a timeline recovery does not follow)")));
                }
                break;
            }
        }
        return out;
    }

    /**
     * The objects to delete.
     *
     * @param archived    every WAL object of the cluster
     * @param keptStarts  the start segment of each kept base backup
     */
    public static List<String> expired(List<Archived> archived, List<WalSegment> keptStarts) {
        if (keptStarts.isEmpty()) {
            return List.of();
        }
        long oldest = keptStarts.stream().mapToLong(WalSegment::number).min().orElseThrow();
        List<String> out = new ArrayList<>();
        for (Archived a : archived) {
            if (a.segment().isPresent() && a.segment().get().number() < oldest) {
                out.add(a.object());
            }
        }
        return out;
    }
}
