package dev.lifeboat.postgres.wal;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The archived WAL as replay to the latest timeline reads it: for each segment number, the copy on the newest
 * timeline that has it (after a promotion the new timeline's copy of the switch segment holds the old timeline's
 * WAL up to the switch point too), whole if that copy is complete, else partial. Recovery, its plan and the
 * continuity check all walk the archive through this, so a promotion is not a gap.
 */
public final class WalChain {
    /** One segment number's chosen copy. */
    public record Link(WalSegment segment, boolean whole) {
    }

    private final TreeMap<Long, Link> links = new TreeMap<>();

    private WalChain() {
    }

    public static WalChain of(WalArchive archive, long segmentSize) {
        return of(archive.segments(segmentSize), archive.partials(segmentSize));
    }

    public static WalChain of(List<WalSegment> whole, List<WalSegment> partials) {
        WalChain c = new WalChain();
        for (WalSegment s : whole) {
            c.offer(new Link(s, true));
        }
        for (WalSegment s : partials) {
            c.offer(new Link(s, false));
        }
        return c;
    }

    private void offer(Link l) {
        Link current = links.get(l.segment().number());
        boolean better = current == null || l.segment().timeline() > current.segment().timeline()
                || (l.segment().timeline() == current.segment().timeline() && l.whole() && !current.whole());
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
