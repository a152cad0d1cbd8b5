package dev.lifeboat.postgres.wal;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The archived WAL as replay to the newest timeline reads it. The newest archived timeline's history says, for each
 * segment number, which timeline's copy replay reads: an ancestor's up to its switch, then the newer timeline's
 * (the segment holding a switch point is read from the new timeline, whose copy holds the old timeline's WAL up to
 * the switch). Only that copy counts, whole if it is complete, else partial: an ancestor's copy of a later segment
 * holds WAL the newer timeline never had, and PostgreSQL would not read it, so it must not hide a gap. Recovery,
 * its plan and the continuity check all walk the archive through this, so a promotion is not a gap.
 */
public final class WalChain {
    /** One segment number's chosen copy. */
    public record Link(WalSegment segment, boolean whole) {
    }

    private final TreeMap<Long, Link> links = new TreeMap<>();
    private final TimelineHistory history;

    private WalChain(TimelineHistory history) {
        this.history = history;
    }

    /** The archive's WAL along the history of its newest timeline (timeline 1 when no history file is archived). */
    public static WalChain of(WalArchive archive, long segmentSize) {
        List<Integer> timelines = archive.historyTimelines();
        TimelineHistory history = TimelineHistory.first();
        for (int i = timelines.size() - 1; i >= 0 && history.timeline() == 1; i--) {
            int tli = timelines.get(i);
            Optional<byte[]> content = archive.history(tli);
            if (content.isPresent()) {
                history = TimelineHistory.parse(tli, new String(content.get(), java.nio.charset.StandardCharsets.UTF_8));
            }
        }
        return of(archive.segments(segmentSize), archive.partials(segmentSize), history);
    }

    public static WalChain of(List<WalSegment> whole, List<WalSegment> partials, TimelineHistory history) {
        WalChain c = new WalChain(history);
        for (WalSegment s : whole) {
            c.offer(new Link(s, true));
        }
        for (WalSegment s : partials) {
            c.offer(new Link(s, false));
        }
        return c;
    }

    /**
     * Whether replay along this chain can start from {@code backup}: it was taken on a timeline of the newest
     * timeline's history before that timeline branched off (a backup of the old primary taken after a promotion, or
     * after a point-in-time fork, is not). A timeline newer than every archived history (its history file not stored
     * yet) is not judged here.
     */
    public boolean leadsFrom(dev.lifeboat.repository.Snapshot backup) {
        int timeline = Integer.parseInt(backup.manifest().labels().get("timeline"));
        return timeline > history().timeline() || history().timelineAt(Lsn.parse(backup.manifest().labels().get("start_lsn"))) == timeline;
    }

    /** The history the chain follows. */
    public TimelineHistory history() {
        return history;
    }

    private void offer(Link l) {
        if (l.segment().timeline() != history.timelineOf(l.segment())) {
            return; // another timeline's copy: not what replay along this history reads
        }
        Link current = links.get(l.segment().number());
        boolean better = current == null || (l.whole() && !current.whole());
        if (better) {
            links.put(l.segment().number(), l);
        }
    }

    /** The chosen copy of segment number {@code n}, if any. */
    public Optional<Link> at(long n) {
        return Optional.ofNullable(links.get(n));
    }

    /**
     * The links replay reads from segment number {@code from} on: consecutive whole segments, then the first partial
     * one if the run ends in one (a partial copy ends the WAL known to be contiguous).
     */
    public List<Link> from(long from) {
        List<Link> out = new ArrayList<>();
        for (long n = from; links.containsKey(n); n++) {
            Link l = links.get(n);
            out.add(l);
            if (!l.whole()) {
                break;
            }
        }
        return out;
    }

    /** The highest segment number archived, if any. */
    public Optional<Link> newest() {
        return links.isEmpty() ? Optional.empty() : Optional.of(links.lastEntry().getValue());
    }

    public boolean has(long n) {
        return links.containsKey(n);
    }

    public int size() {
        return links.size();
    }
}
