package dev.lifeboat.postgres.wal;

import dev.lifeboat.core.error.ErrorCode;
import dev.lifeboat.core.error.LifeboatException;
import dev.lifeboat.repository.Layout;
import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.codec.DamagedObjectException;
import dev.lifeboat.repository.codec.ObjectKind;
import dev.lifeboat.repository.store.ObjectInfo;
import dev.lifeboat.repository.store.StoreException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A cluster's WAL in the repository, outside packs: one sealed object per segment under
 * {@code wal/<cluster>/<timeline>/<segment>}; while a segment fills, its bytes arrive as pieces
 * {@code <segment>.partial.<offset>} (each holding only what is new since the previous piece, so storing it costs
 * what was written, not the whole segment so far: cheap enough to acknowledge every commit in synchronous mode),
 * or, from older agents, one {@code <segment>.partial} with the whole prefix; and {@code <timeline>.history}. Each object is
 * compressed and encrypted like every other; its name is its authenticated context, so a segment cannot be passed
 * off as another.
 */
public final class WalArchive {
    private final Repository repo;
    private final String cluster;

    public WalArchive(Repository repo, String cluster) {
        this.repo = repo;
        this.cluster = cluster;
    }

    private String name(int timeline, String file) {
        return Layout.WAL + cluster + "/" + String.format("%08X", timeline) + "/" + file;
    }

    /**
     * Stores a whole segment; durable when this returns. Then removes the segment's partial objects. The segment must
     * be what PostgreSQL wrote under that name (its page header says so) and belong to this cluster's database
     * system ({@link #claim}); a segment stored already is kept, never replaced: the same bytes again are a no-op.
     *
     * @throws LifeboatException {@code wal-invalid} for a file that is not that segment, {@code wal-conflict} for
     *                           another system's WAL or different bytes under a stored segment's name
     */
    public void putSegment(WalSegment segment, byte[] data) {
        String object = name(segment.timeline(), segment.fileName());
        WalPageHeader.problem(segment, data).ifPresent(why -> {
            throw LifeboatException.of(ErrorCode.WAL_INVALID, "not storing " + segment.fileName() + " for " + cluster + ": " + why);
        });
        claim(WalPageHeader.of(data).orElseThrow().systemId());
        if (repo.store().stat(object).isPresent()) {
            Optional<byte[]> stored = get(object);
            if (stored.isPresent() && !java.util.Arrays.equals(stored.get(), data)) {
                throw LifeboatException.of(ErrorCode.WAL_CONFLICT, "WAL segment " + segment.fileName() + " of " + cluster
                        + " is stored already with different content");
            }
        } else {
            put(object, data);
        }
        for (ObjectInfo piece : repo.store().list(name(segment.timeline(), segment.fileName() + ".partial"))) {
            repo.store().delete(piece.name());
        }
    }

    /**
     * Records that this cluster's WAL comes from database system {@code systemId}, or checks that it does: the
     * first writer records it, and WAL of another system (a cluster re-created under the same name) is refused
     * before it could overwrite or mix with this one's.
     *
     * @throws LifeboatException {@code wal-conflict} when another system's WAL is stored under this cluster's name
     */
    public void claim(long systemId) {
        if (claimed != null && claimed == systemId) {
            return;
        }
        String object = Layout.WAL + cluster + "/" + SYSTEM;
        Optional<byte[]> recorded = get(object);
        if (recorded.isEmpty()) {
            put(object, Long.toUnsignedString(systemId).getBytes(StandardCharsets.US_ASCII));
            claimed = systemId;
            return;
        }
        String was = new String(recorded.get(), StandardCharsets.US_ASCII);
        if (!was.equals(Long.toUnsignedString(systemId))) {
            throw LifeboatException.of(ErrorCode.WAL_CONFLICT, "the WAL of " + cluster + " in the repository is from database system " + was
                    + ", and this server is system " + Long.toUnsignedString(systemId));
        }
        claimed = systemId;
    }

    /** The system checked by {@link #claim} in this process. */
    private volatile Long claimed;

    /** The object recording the database system this cluster's WAL belongs to. */
    static final String SYSTEM = "system-identifier";

    /** Stores the filled part of the segment being written, whole (the format of earlier agents; kept for tests and readers). */
    public void putPartial(WalSegment segment, byte[] data, int length) {
        put(name(segment.timeline(), segment.fileName() + ".partial"), java.util.Arrays.copyOf(data, length));
    }

    /**
     * Stores bytes {@code from} to {@code to} of the segment being written as one piece; durable when this returns.
     *
     * @throws LifeboatException {@code wal-invalid} for pages of a timeline after the segment's (see
     *                           {@link WalPageHeader#newerTimeline}): nothing is stored, so nothing is acknowledged
     */
    public void putPartialPiece(WalSegment segment, byte[] data, int from, int to) {
        WalPageHeader.newerTimeline(segment, data, from, to).ifPresent(why -> {
            throw LifeboatException.of(ErrorCode.WAL_INVALID, "not storing part of " + segment.fileName() + " for " + cluster + ": " + why);
        });
        put(name(segment.timeline(), segment.fileName() + ".partial." + String.format("%08X", from)), java.util.Arrays.copyOfRange(data, from, to));
    }

    public void putHistory(int timeline, String content) {
        put(name(timeline, TimelineHistory.fileName(timeline)), content.getBytes(StandardCharsets.UTF_8));
    }

    /** The timelines whose history files are archived. */
    public List<Integer> historyTimelines() {
        List<Integer> out = new ArrayList<>();
        for (ObjectInfo info : repo.store().list(Layout.WAL + cluster + "/")) {
            String file = info.name().substring(info.name().lastIndexOf('/') + 1);
            if (file.matches("[0-9A-F]{8}\\.history")) {
                out.add(Integer.parseInt(file.substring(0, 8), 16));
            }
        }
        out.sort(null);
        return out;
    }

    /** A timeline's history file, if archived. */
    public Optional<byte[]> history(int timeline) {
        return get(name(timeline, TimelineHistory.fileName(timeline)));
    }

    /** A whole segment if archived, else its stored beginning (for restore_command, padded by the caller). */
    public Optional<byte[]> segmentOrPartial(WalSegment segment) {
        Optional<byte[]> whole = get(name(segment.timeline(), segment.fileName()));
        return whole.isPresent() ? whole : partial(segment);
    }

    private void put(String object, byte[] data) {
        repo.store().put(object, repo.sealer().seal(ObjectKind.WAL, data, object.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * A whole segment, verified.
     *
     * @throws LifeboatException {@code object-missing} when the archive lacks it, {@code object-corrupt} when damaged
     */
    public byte[] segment(WalSegment segment) {
        return get(name(segment.timeline(), segment.fileName())).orElseThrow(() -> LifeboatException.of(ErrorCode.OBJECT_MISSING,
                "WAL segment " + segment + " of " + cluster + " is not in the repository"));
    }

    /**
     * The stored beginning of a segment that has not completed, if any: the whole-prefix object and the pieces
     * joined in offset order, up to the first gap. Pieces may overlap (an agent that restarted sends a segment again
     * from its start); the overlapping bytes are the same WAL and are taken once.
     */
    public Optional<byte[]> partial(WalSegment segment) {
        for (int attempt = 1; ; attempt++) {
            try {
                return partialOnce(segment);
            } catch (PieceVanished e) {
                // The segment completed while it was read, and the agent deleted its pieces: it is stored whole now.
                Optional<byte[]> whole = get(name(segment.timeline(), segment.fileName()));
                if (whole.isPresent()) {
                    return whole;
                }
                if (attempt == 3) {
                    throw LifeboatException.of(ErrorCode.OBJECT_MISSING, "pieces of the partial WAL segment " + segment.fileName() + " of "
                            + cluster + " vanished while they were read, three times, and the whole segment is not stored");
                }
            }
        }
    }

    /** A listed piece of a partial segment that was gone when read. */
    private static final class PieceVanished extends RuntimeException {
        PieceVanished() {
            super(null, null, false, false);
        }
    }

    private Optional<byte[]> partialOnce(WalSegment segment) {
        String base = name(segment.timeline(), segment.fileName() + ".partial");
        List<String> names = repo.store().list(base).stream().map(ObjectInfo::name).toList();
        if (names.isEmpty()) {
            return Optional.empty();
        }
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        if (names.contains(base)) {
            out.writeBytes(get(base).orElseThrow(PieceVanished::new));
        }
        List<String> pieces = names.stream().filter(n -> n.length() > base.length()).sorted((a, b) -> Long.compare(offset(a, base), offset(b, base)))
                .toList();
        for (String piece : pieces) {
            long from = offset(piece, base);
            if (from > out.size()) {
                break;
            }
            byte[] bytes = get(piece).orElseThrow(PieceVanished::new);
            int skip = (int) (out.size() - from);
            if (skip < bytes.length) {
                out.write(bytes, skip, bytes.length - skip);
            }
        }
        return out.size() == 0 ? Optional.empty() : Optional.of(out.toByteArray());
    }

    private static long offset(String piece, String base) {
        return Long.parseLong(piece.substring(base.length() + 1), 16);
    }

    private Optional<byte[]> get(String object) {
        byte[] sealed;
        try {
            sealed = repo.store().get(object);
        } catch (StoreException e) {
            if (e.kind() == StoreException.Kind.NOT_FOUND) {
                return Optional.empty();
            }
            throw e;
        }
        try {
            return Optional.of(repo.sealer().open(ObjectKind.WAL, sealed, object.getBytes(StandardCharsets.UTF_8)));
        } catch (DamagedObjectException e) {
            throw LifeboatException.of(ErrorCode.OBJECT_CORRUPT, "WAL object " + object + " is damaged: " + e.getMessage());
        }
    }

    /** When the newest WAL object (whole or partial segment) was written, if any. */
    public Optional<java.time.Instant> newestObjectTime() {
        return newestObjectTime(repo.store(), cluster);
    }

    /**
     * As {@link #newestObjectTime()}, from the store's listing alone: object names and times are not encrypted, so
     * this needs no key (a monitoring host can watch the recovery point without the repository's passphrase).
     */
    public static Optional<java.time.Instant> newestObjectTime(dev.lifeboat.repository.store.ObjectStore store, String cluster) {
        return store.list(Layout.WAL + cluster + "/").stream().map(ObjectInfo::modified).max(java.util.Comparator.naturalOrder());
    }

    /**
     * How far the stored WAL reaches, on any timeline: the end of the newest whole segment, or of the newest
     * partial segment's stored beginning when that is further; empty when nothing is stored.
     */
    public Optional<Lsn> storedEnd(long segmentSize) {
        Optional<Lsn> end = segments(segmentSize).stream().map(WalSegment::end).max(java.util.Comparator.naturalOrder());
        List<WalSegment> partials = partials(segmentSize);
        if (!partials.isEmpty()) {
            WalSegment last = partials.get(partials.size() - 1);
            Lsn reached = last.start().plus(partial(last).map(b -> (long) b.length).orElse(0L));
            if (end.isEmpty() || reached.isAfter(end.get())) {
                end = Optional.of(reached);
            }
        }
        return end;
    }

    /** Segments stored only as {@code .partial} (being filled when last stored), in WAL order. */
    public List<WalSegment> partials(long segmentSize) {
        List<WalSegment> out = new ArrayList<>();
        for (ObjectInfo info : repo.store().list(Layout.WAL + cluster + "/")) {
            String file = info.name().substring(info.name().lastIndexOf('/') + 1);
            int dot = file.indexOf(".partial");
            if (dot > 0) {
                WalSegment.parse(file.substring(0, dot), segmentSize).filter(s -> !out.contains(s)).ifPresent(out::add);
            }
        }
        out.sort(null);
        return out;
    }

    /** Every WAL object of this cluster (whole and partial segments, history files), with the segment it holds. */
    public List<WalRetention.Archived> objects(long segmentSize) {
        List<WalRetention.Archived> out = new ArrayList<>();
        for (ObjectInfo info : repo.store().list(Layout.WAL + cluster + "/")) {
            String file = info.name().substring(info.name().lastIndexOf('/') + 1);
            String base = file.contains(".partial") ? file.substring(0, file.indexOf(".partial")) : file;
            out.add(new WalRetention.Archived(info.name(), base.contains(".") ? Optional.empty() : WalSegment.parse(base, segmentSize)));
        }
        return out;
    }

    /** Deletes archived WAL objects by name (retention, under the prune's lock, which each deletion checks first). */
    public void delete(List<String> objects) {
        objects.forEach(o -> {
            repo.ensureLocksHeld();
            repo.store().delete(o);
        });
    }

    /** Every whole segment stored for this cluster, in WAL order. */
    public List<WalSegment> segments(long segmentSize) {
        List<WalSegment> out = new ArrayList<>();
        for (ObjectInfo info : repo.store().list(Layout.WAL + cluster + "/")) {
            String file = info.name().substring(info.name().lastIndexOf('/') + 1);
            if (!file.contains(".")) {
                WalSegment.parse(file, segmentSize).ifPresent(out::add);
            }
        }
        out.sort(null);
        return out;
    }
}
