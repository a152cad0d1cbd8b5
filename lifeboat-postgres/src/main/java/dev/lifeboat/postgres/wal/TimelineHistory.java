package dev.lifeboat.postgres.wal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * The history of a timeline, as in PostgreSQL's {@code 0000000N.history} files: for each ancestor timeline, the
 * LSN at which the next one branched off. A server promoted at LSN X starts timeline N+1 at X; WAL before X is
 * read from the ancestor. Recovery to timeline N follows these switch points.
 *
 * @param timeline the timeline this history describes
 * @param switches ancestors in order, each with the position where it was left
 */
public record TimelineHistory(int timeline, List<Switch> switches) {

    /** Timeline {@code parent} ended at {@code at}; {@code reason} is the free text PostgreSQL wrote. */
    public record Switch(int parent, Lsn at, String reason) {
    }

    public TimelineHistory {
        switches = List.copyOf(switches);
    }

    /** The history of timeline 1, which has no ancestors. */
    public static TimelineHistory first() {
        return new TimelineHistory(1, List.of());
    }

    /** The name of the history file of {@code timeline}: {@code 00000002.history}. */
    public static String fileName(int timeline) {
        return String.format(Locale.ROOT, "%08X.history", timeline);
    }

    /**
     * Parses a history file's content ("parentTLI&lt;tab&gt;switchpoint&lt;tab&gt;reason" lines; '#' comments).
     *
     * @throws IllegalArgumentException naming the line that is malformed or out of order
     */
    public static TimelineHistory parse(int timeline, String content) {
        List<Switch> out = new ArrayList<>();
        String[] lines = content.split("\n");
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split("\\s+", 3);
            if (f.length < 2) {
                throw new IllegalArgumentException("history of timeline " + timeline + ", line " + (i + 1) + ": expected 'timeline LSN reason'");
            }
            int parent;
            try {
                parent = Integer.parseInt(f[0]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("history of timeline " + timeline + ", line " + (i + 1) + ": '" + f[0] + "' is not a timeline");
            }
            Lsn at = Lsn.parse(f[1]);
            if (!out.isEmpty() && (parent <= out.get(out.size() - 1).parent() || at.isBefore(out.get(out.size() - 1).at()))) {
                throw new IllegalArgumentException("history of timeline " + timeline + ", line " + (i + 1) + ": entries are out of order");
            }
            if (parent >= timeline) {
                throw new IllegalArgumentException("history of timeline " + timeline + ", line " + (i + 1) + ": parent " + parent
                        + " is not older than " + timeline);
            }
            out.add(new Switch(parent, at, f.length > 2 ? f[2] : ""));
        }
        return new TimelineHistory(timeline, out);
    }

    /** The file content PostgreSQL would write for this history. */
    public String render() {
        StringBuilder b = new StringBuilder();
        for (Switch s : switches) {
            b.append(s.parent()).append('\t').append(s.at()).append('\t').append(s.reason()).append('\n');
        }
        return b.toString();
    }

    /** The timeline whose WAL holds {@code lsn} when recovering along this history. */
    public int timelineAt(Lsn lsn) {
        for (Switch s : switches) {
            if (lsn.isBefore(s.at())) {
                return s.parent();
            }
        }
        return timeline;
    }

    /**
     * The segments, in order, that replay from {@code from} to {@code to} reads on this history: ancestors'
     * segments up to each switch point, then this timeline's. The segment holding a switch point is read from the
     * new timeline, as PostgreSQL does.
     */
    public List<WalSegment> segments(Lsn from, Lsn to, long segmentSize) {
        List<WalSegment> out = new ArrayList<>();
        WalSegment first = WalSegment.of(1, from, segmentSize);
        WalSegment last = WalSegment.of(1, to, segmentSize);
        for (long n = first.number(); n <= last.number(); n++) {
            WalSegment seg = new WalSegment(1, n, segmentSize);
            out.add(seg.onTimeline(timelineOf(seg)));
        }
        return Collections.unmodifiableList(out);
    }

    /**
     * A segment lies on the first ancestor whose switch point is at or after the segment's end; the segment holding
     * a switch point (and every later one) lies on the newer timeline.
     */
    public int timelineOf(WalSegment seg) {
        for (Switch s : switches) {
            if (!seg.end().isAfter(s.at())) {
                return s.parent();
            }
        }
        return timeline;
    }
}
