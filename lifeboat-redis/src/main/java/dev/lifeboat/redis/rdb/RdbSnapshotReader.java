package dev.lifeboat.redis.rdb;

import dev.lifeboat.core.error.ErrorCode;
import dev.lifeboat.core.error.LifeboatException;
import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.Snapshot;
import dev.lifeboat.repository.files.FileContent;
import dev.lifeboat.repository.files.TreeEntry;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** Reads the RDB stored in a Redis snapshot, and checks RDB streams without keeping values. */
public final class RdbSnapshotReader {
    /** The file name of the RDB inside a Redis snapshot. */
    public static final String RDB_FILE = "dump.rdb";

    private RdbSnapshotReader() {
    }

    /** Reads a whole RDB stream and checks it (structure and CRC-64), keeping no values. */
    public static RdbSummary check(InputStream in) {
        return new RdbReader(in).read(new RdbReader.Visitor() {
            @Override
            public void entry(RdbEntry entry) {
            }

            @Override
            public boolean wantsValues() {
                return false;
            }
        });
    }

    /** Reads a Redis snapshot's whole RDB from the repository and checks it, keeping no values. */
    public static RdbSummary check(Repository repo, Snapshot snapshot) {
        TreeEntry entry = rdbEntry(repo, snapshot);
        try (InputStream in = FileContent.open(repo, entry)) {
            return check(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The RDB file entry of a Redis snapshot. */
    public static TreeEntry rdbEntry(Repository repo, Snapshot snapshot) {
        if (!"redis".equals(snapshot.manifest().kind())) {
            throw new LifeboatException(ErrorCode.USAGE, "snapshot " + snapshot.shortId() + " is a " + snapshot.manifest().kind()
                    + " backup, not a Redis one", "List Redis backups with 'lifeboat snapshots list --kind redis'.");
        }
        return FileContent.find(repo, snapshot, RDB_FILE).orElseThrow(() -> LifeboatException.of(ErrorCode.OBJECT_MISSING,
                "snapshot " + snapshot.shortId() + " has no " + RDB_FILE));
    }

    /** Reads the snapshot's RDB from the repository once, through {@code visitor}. */
    public static RdbSummary read(Repository repo, Snapshot snapshot, RdbReader.Visitor visitor) {
        TreeEntry entry = rdbEntry(repo, snapshot);
        try (InputStream in = FileContent.open(repo, entry)) {
            return new RdbReader(in).read(visitor);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
