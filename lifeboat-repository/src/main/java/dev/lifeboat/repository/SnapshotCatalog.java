package dev.lifeboat.repository;

import dev.lifeboat.core.error.ErrorCode;
import dev.lifeboat.core.error.LifeboatException;
import dev.lifeboat.repository.codec.DamagedObjectException;
import dev.lifeboat.repository.codec.ObjectKind;
import dev.lifeboat.repository.pack.PackNames;
import dev.lifeboat.repository.store.ObjectInfo;
import dev.lifeboat.repository.store.StoreException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** Lists, reads and writes snapshot manifests. */
public final class SnapshotCatalog {
    private final Repository repo;

    SnapshotCatalog(Repository repo) {
        this.repo = repo;
    }

    /** Writes a manifest; the snapshot exists from this moment. Returns it with its id. */
    public Snapshot save(SnapshotManifest manifest) {
        repo.ensureLocksHeld();
        byte[] sealed = repo.sealer().seal(ObjectKind.SNAPSHOT, Json.write(manifest), new byte[0]);
        String id = PackNames.sha256(sealed);
        repo.store().put(Layout.SNAPSHOTS + id, sealed);
        return new Snapshot(id, manifest);
    }

    /**
     * Reads and verifies a snapshot by its full id.
     *
     * @throws LifeboatException {@code object-corrupt} when the manifest is damaged
     */
    public Snapshot load(String id) {
        return load(id, true);
    }

    /** As {@link #load(String)}; without {@code otherRegions} a damaged copy is reported even where another region holds an intact one. */
    public Snapshot load(String id, boolean otherRegions) {
        String name = Layout.SNAPSHOTS + id;
        byte[] bytes;
        try {
            bytes = repo.store().get(name);
            if (otherRegions && !PackNames.sha256(bytes).equals(id)) {
                bytes = repo.store().getIntact(name, copy -> PackNames.sha256(copy).equals(id)); // another region's, if intact
            }
        } catch (StoreException e) {
            if (e.kind() == StoreException.Kind.NOT_FOUND) {
                throw LifeboatException.of(ErrorCode.SNAPSHOT_NOT_FOUND, id);
            }
            throw e;
        }
        try {
            if (!PackNames.sha256(bytes).equals(id)) {
                throw new DamagedObjectException("content does not match its name (SHA-256)");
            }
            return new Snapshot(id, Json.read(repo.sealer().open(ObjectKind.SNAPSHOT, bytes, new byte[0]), SnapshotManifest.class));
        } catch (DamagedObjectException e) {
            throw LifeboatException.of(ErrorCode.OBJECT_CORRUPT, "snapshot " + id.substring(0, 8) + " (" + name + ") is damaged: " + e.getMessage());
        }
    }

    /** Every snapshot id, without reading the manifests. */
    public List<String> ids() {
        List<String> ids = new ArrayList<>();
        for (ObjectInfo info : repo.store().list(Layout.SNAPSHOTS)) {
            ids.add(info.name().substring(Layout.SNAPSHOTS.length()));
        }
        return ids;
    }

    /** Every snapshot, oldest first. A damaged manifest fails the whole listing with its name. */
    public List<Snapshot> list() {
        List<Snapshot> out = new ArrayList<>();
        for (String id : ids()) {
            out.add(load(id));
        }
        out.sort(Comparator.comparing(Snapshot::time).thenComparing(Snapshot::id));
        return out;
    }

    /**
     * Finds a snapshot by id prefix, or {@code latest} (optionally of one name). With an id, a name is checked: the
     * snapshot must be of it.
     *
     * @throws LifeboatException {@code snapshot-not-found}, also when a prefix is ambiguous
     */
    public Snapshot find(String spec, Optional<String> name) {
        if (spec.equals("latest")) {
            List<Snapshot> all = list();
            for (int i = all.size() - 1; i >= 0; i--) {
                if (name.isEmpty() || name.get().equals(all.get(i).manifest().name())) {
                    return all.get(i);
                }
            }
            throw LifeboatException.of(ErrorCode.SNAPSHOT_NOT_FOUND, "latest" + name.map(n -> " of " + n).orElse(""));
        }
        List<String> matches = ids().stream().filter(id -> id.startsWith(spec)).toList();
        if (matches.size() != 1 || spec.length() < 4) {
            throw new LifeboatException(ErrorCode.SNAPSHOT_NOT_FOUND, ErrorCode.SNAPSHOT_NOT_FOUND.format(spec)
                    + (matches.size() > 1 ? " uniquely (" + matches.size() + " match)" : ""),
                    matches.size() > 1 ? "Give more characters of the id." : null);
        }
        Snapshot found = load(matches.get(0));
        if (name.isPresent() && !name.get().equals(found.manifest().name())) {
            // An id with a name is a claim about which snapshot is meant: a restore of another resource's snapshot is refused.
            throw new LifeboatException(ErrorCode.SNAPSHOT_NOT_FOUND, "snapshot " + found.shortId() + " is of '" + found.manifest().name()
                    + "', not '" + name.get() + "'", "Check the id with 'lifeboat snapshots list', or drop --name.");
        }
        return found;
    }
}
