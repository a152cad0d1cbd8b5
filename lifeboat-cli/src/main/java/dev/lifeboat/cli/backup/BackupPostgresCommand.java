package dev.lifeboat.cli.backup;

import dev.lifeboat.cli.RepositoryAccess;
import dev.lifeboat.cli.output.Output;
import dev.lifeboat.cli.output.ProgressBar;
import dev.lifeboat.cli.output.Sizes;
import dev.lifeboat.postgres.backup.BaseBackup;
import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.Snapshot;
import dev.lifeboat.repository.SnapshotManifest;
import dev.lifeboat.repository.lock.RepositoryLock;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code lifeboat backup postgres}: a physical base backup of a running server on this host. */
@Command(name = "postgres", mixinStandardHelpOptions = true,
        description = {"Take a physical base backup of a running PostgreSQL server on this host.",
                "",
                "Uses the non-exclusive backup API on one session, reserves the WAL it needs with a temporary replication "
                        + "slot, reads the data directory in page-aligned chunks (only changed chunks are stored), and includes "
                        + "the WAL from start to stop, so the snapshot restores into a consistent cluster on its own. With data "
                        + "checksums on, every relation page is verified as it is read (pages changed during the backup are left to "
                        + "WAL replay, as pg_basebackup does) and failures are reported with file and block. Continuous WAL for "
                        + "point-in-time recovery comes from 'lifeboat agent'."})
public final class BackupPostgresCommand implements Callable<Integer> {
    @Mixin
    RepositoryAccess access;

    @Mixin
    PostgresOptions postgres;

    @Mixin
    Output output;

    @Option(names = "--name", paramLabel = "NAME", description = "The snapshot's name (default: the --cluster name).")
    String name;

    @Option(names = "--chunk-size", paramLabel = "BYTES", description = "Chunk size for data files, a multiple of 8192 "
            + "(default 65536; smaller chunks store less after scattered page changes but index more entries, see docs/adr/0007).")
    int chunkSize = BaseBackup.DEFAULT_CHUNK;

    @Option(names = "--threads", paramLabel = "N", description = "Worker threads (default: one per core).")
    int threads = Runtime.getRuntime().availableProcessors();

    @Override
    public Integer call() {
        if (chunkSize < 8192 || chunkSize % 8192 != 0) {
            throw new dev.lifeboat.core.error.LifeboatException(dev.lifeboat.core.error.ErrorCode.USAGE, "--chunk-size " + chunkSize
                    + " is not a whole number of 8 KiB pages", "Use 8192, 16384, 32768 or 65536.");
        }
        Repository repo = access.open();
        String snapshotName = postgres.name(name);
        ProgressBar bar = output.progress("backup " + snapshotName);
        Snapshot s;
        try (RepositoryLock lock = repo.lockShared("backup postgres " + snapshotName)) {
            s = new BaseBackup(repo, Clock.systemUTC(), threads, chunkSize).run(postgres.target(access), snapshotName, bar);
        } finally {
            bar.done();
        }
        access.finishCopies(output.err(), 30_000);
        String failures = s.manifest().labels().getOrDefault("checksum_failures", "0");
        if (!"0".equals(failures)) {
            output.decision("WARNING: " + failures + " page(s) failed checksum verification and were backed up as they are: "
                    + s.manifest().labels().get("checksum_failure_pages") + ". The snapshot records them; check the storage and run pg_amcheck.");
        }
        SnapshotManifest.Stats st = s.manifest().stats();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("snapshot", s.id());
        m.put("name", snapshotName);
        m.put("time", s.manifest().time());
        m.put("labels", s.manifest().labels());
        m.put("stats", st);
        output.emit(m, () -> String.format("Snapshot %s of %s: %s, WAL %s to %s (timeline %s); new %s stored as %s in %.1f s.%n",
                s.shortId(), snapshotName, Sizes.bytes(st.bytes()), s.manifest().labels().get("start_lsn"), s.manifest().labels().get("stop_lsn"),
                s.manifest().labels().get("timeline"), Sizes.bytes(st.newBytes()), Sizes.bytes(st.storedBytes()), st.millis() / 1000.0));
        return 0;
    }
}
