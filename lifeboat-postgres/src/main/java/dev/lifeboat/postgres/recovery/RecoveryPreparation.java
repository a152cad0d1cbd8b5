package dev.lifeboat.postgres.recovery;

import dev.lifeboat.core.error.ErrorCode;
import dev.lifeboat.core.error.LifeboatException;
import dev.lifeboat.postgres.tablespace.OlderLayout;
import dev.lifeboat.postgres.tablespace.Tablespace;
import dev.lifeboat.postgres.tablespace.TablespacePlacement;
import dev.lifeboat.postgres.wal.Lsn;
import dev.lifeboat.postgres.wal.WalArchive;
import dev.lifeboat.postgres.wal.TimelineHistory;
import dev.lifeboat.postgres.wal.WalChain;
import dev.lifeboat.postgres.wal.WalSegment;
import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.Snapshot;
import dev.lifeboat.repository.files.DeltaRestore;
import dev.lifeboat.repository.files.DirectoryRestore;
import dev.lifeboat.repository.files.Progress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.UserPrincipal;
import java.util.List;
import java.util.Optional;

/**
 * Prepares a data directory for point-in-time recovery: restores a base backup, stages the archived WAL from the
 * backup's start onwards in a directory beside it (decrypted and verified once, so replay never waits on the
 * repository and no secret reaches postgresql.conf; mode 0700, since it is plaintext), and writes {@code recovery.signal} with a
 * {@code restore_command} that copies from the staging directory and the target settings. A partial last segment is
 * zero-padded to full size: zeros are the end of WAL to PostgreSQL. Starting the server is the caller's step.
 *
 * <p>With {@code delta}, the data directory may hold an older copy of the cluster (a stopped server, a previous
 * recovery): only chunks that differ are fetched ({@link DeltaRestore}), and files the backup does not have (WAL in
 * pg_wal, postmaster.pid, signal files) are removed. A directory a live server runs from is refused either way.
 */
public final class RecoveryPreparation {
    private final Repository repo;
    private final WalArchive archive;

    public RecoveryPreparation(Repository repo, WalArchive archive) {
        this.repo = repo;
        this.archive = archive;
    }

    /**
     * Refuses a directory a live server runs from.
     *
     * @throws LifeboatException {@code target-in-use} when its postmaster.pid names a live process
     */
    public static void refuseRunning(Path dataDir) {
        if (Files.isDirectory(dataDir) && PostgresControl.running(dataDir)) {
            throw new LifeboatException(ErrorCode.TARGET_IN_USE, "a PostgreSQL server is running from " + dataDir
                    + " (its postmaster.pid names a live process); recovery never writes into a running cluster's directory",
                    "Stop it first, or recover into another directory.");
        }
    }

    /**
     * What was prepared; {@code lastPartial} says the last staged segment is a partial one (zero-padded), {@code
     * delta} what a delta restore reused and fetched, {@code owner} whose the files are, and why (see {@link ServerOwner}).
     */
    public record Prepared(Path dataDir, Path walDir, List<String> segments, Lsn walEnd, boolean lastPartial, Optional<DeltaRestore.Result> delta,
                           String owner) {
    }

    public Prepared prepare(Snapshot backup, RecoveryTarget target, Path dataDir, Path walDir) {
        return prepare(backup, target, dataDir, walDir, List.of(), false);
    }

    /**
     * As {@link #prepare(Snapshot, RecoveryTarget, Path, Path)}, with extra settings (e.g. {@code port = 5433}) and
     * optionally as a delta restore into an existing copy.
     */
    public Prepared prepare(Snapshot backup, RecoveryTarget target, Path dataDir, Path walDir, List<String> settings, boolean delta) {
        return prepare(backup, target, dataDir, walDir, settings, delta, delta ? TablespacePlacement.forDelta(Tablespace.of(backup), List.of(), dataDir)
                : TablespacePlacement.defaults(Tablespace.of(backup), dataDir));
    }

    /** As above, placing the backup's tablespaces as {@code tablespaces} says (by default inside the data directory). */
    public Prepared prepare(Snapshot backup, RecoveryTarget target, Path dataDir, Path walDir, List<String> settings, boolean delta,
                            TablespacePlacement tablespaces) {
        if (!"postgres".equals(backup.manifest().kind())) {
            throw new LifeboatException(ErrorCode.USAGE, "snapshot " + backup.shortId() + " is not a PostgreSQL backup", null);
        }
        refuseRunning(dataDir);
        refuseForeignWal(walDir);
        OlderLayout.check(repo, backup);
        int timeline = Integer.parseInt(backup.manifest().labels().get("timeline"));
        long segmentSize = Long.parseLong(backup.manifest().labels().get("wal_segment_size"));
        Lsn start = Lsn.parse(backup.manifest().labels().get("start_lsn"));
        Optional<DeltaRestore.Result> changed = Optional.empty();
        ServerOwner.Choice owner = ServerOwner.choose(dataDir, backup);
        if (delta) {
            changed = Optional.of(new DeltaRestore(repo).elsewhere(tablespaces.subtrees()).owners(owner.ownership()).run(backup, dataDir, Progress.NONE));
        } else {
            new DirectoryRestore(repo).elsewhere(tablespaces.subtrees()).owners(owner.ownership()).run(backup, dataDir, Progress.NONE);
        }
        tablespaces.finish(dataDir);
        OlderLayout.repair(dataDir);
        try {
            Files.createDirectories(walDir);
            // Decrypted WAL holds every row change and the roles' password hashes: readable by the server's user only.
            try {
                Files.setPosixFilePermissions(walDir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
            } catch (UnsupportedOperationException notPosix) {
                // not a POSIX filesystem: its own access control applies
            }
            // Staging decrypts every segment from the backup on: compile AES-GCM's fast path first (~0.15 s).
            dev.lifeboat.repository.crypto.Aead.warmUp();
            clear(walDir); // WAL staged by an earlier recovery must never be replayed into this one
            Files.writeString(walDir.resolve(STAGED_MARK), "WAL staged by lifeboat recover; deleted once the copy is promoted\n");
            // Walk the archive as replay to the latest timeline reads it: across promotions, the newest timeline's copy.
            WalStaging.Staged stagedWal = WalStaging.stage(archive, WalChain.of(archive, segmentSize).from(WalSegment.of(timeline, start,
                    segmentSize).number()), walDir, start, segmentSize);
            List<String> staged = stagedWal.segments();
            Lsn end = stagedWal.end();
            boolean lastPartial = stagedWal.lastPartial();
            int newest = timeline;
            for (int tli : archive.historyTimelines()) {
                Optional<byte[]> history = archive.history(tli);
                if (history.isPresent()) {
                    Files.write(walDir.resolve(TimelineHistory.fileName(tli)), history.get());
                    newest = Math.max(newest, tli);
                }
            }
            if (staged.isEmpty()) {
                throw LifeboatException.of(ErrorCode.OBJECT_MISSING, "no archived WAL from " + start + " for snapshot " + backup.shortId()
                        + ": is WAL streaming running for " + backup.manifest().name() + "?");
            }
            // A backup taken from a standby carries its standby.signal, which would keep the copy a standby forever.
            Files.deleteIfExists(dataDir.resolve("standby.signal"));
            Files.writeString(dataDir.resolve("recovery.signal"), "");
            Files.writeString(dataDir.resolve("postgresql.auto.conf"), "\n# lifeboat recovery to " + target + "\n"
                    + "restore_command = " + literal("cp " + shellWord(walDir.toString().replace("%", "%%") + "/%f") + " \"%p\"") + "\n"
                    // The newest timeline by number, not 'latest': 'latest' probes history files 2, 3, … and stops at
                    // the first missing one, while the newest one's history file alone lists every switch before it.
                    + "recovery_target_timeline = '" + newest + "'\n" + target.settings()
                    + String.join("\n", settings) + "\n"
                    // Last, so it replaces the original's (and the copy settings' empty one).
                    + "recovery_end_command = " + literal(removeStagedWal(walDir)) + "\n", StandardOpenOption.APPEND,
                    StandardOpenOption.CREATE);
            handOver(dataDir, walDir);
            return new Prepared(dataDir, walDir, staged, end, lastPartial, changed, owner.why());
        } catch (IOException e) {
            throw new LifeboatException(ErrorCode.USAGE, "cannot prepare " + dataDir + ": " + e.getMessage(),
                    "Check free space and permissions.", e);
        }
    }

    /** Marks a directory of WAL this class staged: only such a directory is emptied and reused. */
    static final String STAGED_MARK = ".lifeboat-staged-wal";

    /**
     * Refuses a WAL staging directory that holds files Lifeboat did not stage: {@code DIR.wal} is also what a WAL
     * volume next to the data directory is commonly called ({@code initdb -X}), and after a lost data disk it may
     * hold the only copy of WAL that never reached the repository. Checked before anything is restored.
     */
    static void refuseForeignWal(Path walDir) {
        if (!Files.isDirectory(walDir) || Files.exists(walDir.resolve(STAGED_MARK))) {
            return;
        }
        try (var files = Files.list(walDir)) {
            if (files.findAny().isPresent()) {
                throw new LifeboatException(ErrorCode.TARGET_NOT_EMPTY, walDir + " holds files without the mark Lifeboat leaves in WAL it "
                        + "stages there, and recovery stages WAL in it (nothing was restored)", "If it is a WAL volume of the lost cluster, "
                        + "copy what it holds to safety first (it may have WAL the repository lacks); if an older Lifeboat staged it, delete "
                        + "it. Then empty it, move it away, or recover into another --to.");
            }
        } catch (IOException e) {
            throw new LifeboatException(ErrorCode.USAGE, "cannot read " + walDir + ": " + e.getMessage(), "Check its permissions.", e);
        }
    }

    private static void clear(Path walDir) throws IOException {
        try (var files = Files.list(walDir)) {
            for (Path p : files.toList()) {
                Files.delete(p);
            }
        }
    }

    /** The staged WAL and the new files belong to the data directory's owner, who runs the server. */
    private static void handOver(Path dataDir, Path walDir) throws IOException {
        UserPrincipal owner = Files.getOwner(dataDir, LinkOption.NOFOLLOW_LINKS);
        for (Path p : List.of(dataDir.resolve("recovery.signal"), dataDir.resolve("postgresql.auto.conf"), walDir)) {
            Files.setOwner(p, owner);
        }
        try (var files = Files.list(walDir)) {
            for (Path p : files.toList()) {
                Files.setOwner(p, owner);
            }
        }
    }

    /**
     * The staged WAL is plaintext and only replay reads it: the server removes it itself when recovery ends, so a copy
     * paused at its target and resumed by hand later leaves none behind. Only a directory with Lifeboat's mark goes.
     */
    static String removeStagedWal(Path walDir) {
        String dir = walDir.toString().replace("%", "%%");
        return "test -f " + shellWord(dir + "/" + STAGED_MARK) + " && rm -rf " + shellWord(dir) + " || true";
    }

    /**
     * A postgresql.conf string literal: in single quotes, each one inside doubled, and each backslash doubled (the
     * server reads backslash escapes in these strings).
     */
    static String literal(String value) {
        return "'" + value.replace("\\", "\\\\").replace("'", "''") + "'";
    }

    /** One shell word, whatever it holds: single quotes, each one inside closed, escaped and reopened. */
    static String shellWord(String value) {
        return "'" + value.replace("'", "'\\''") + "'";
    }
}
