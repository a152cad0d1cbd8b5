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
 * silently dropped.
 */
public final class WalRetention {
    private WalRetention() {
    }

    /** An archived WAL object: its object name and, when it is a (whole or partial) segment, which one. */
    public record Archived(String object, Optional<WalSegment> segment) {
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
