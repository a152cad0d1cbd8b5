package dev.lifeboat.postgres.backup;

import dev.lifeboat.core.error.ErrorCode;
import dev.lifeboat.core.error.LifeboatException;
import dev.lifeboat.postgres.tablespace.Tablespace;
import dev.lifeboat.postgres.wal.Lsn;
import dev.lifeboat.postgres.wal.TimelineHistory;
import dev.lifeboat.postgres.wal.WalSegment;
import dev.lifeboat.repository.BlobSink;
import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.Snapshot;
import dev.lifeboat.repository.SnapshotManifest;
import dev.lifeboat.repository.chunk.Chunker;
import dev.lifeboat.repository.chunk.FixedChunker;
import dev.lifeboat.repository.files.DirectoryBackup;
import dev.lifeboat.repository.files.Progress;
import dev.lifeboat.repository.files.TreeWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * A physical base backup of a running PostgreSQL server, taken on this host: the non-exclusive low-level API on one
 * session, the WAL it needs reserved by a temporary replication slot, the data directory read directly in
 * page-aligned fixed chunks, the {@code backup_label} returned by the stop call, and the WAL from the start to the
 * stop position, so that the snapshot restores into a consistent cluster on its own (as {@code pg_basebackup -X
 * fetch} does). Continuous WAL for point-in-time recovery comes from streaming (ADR 0006).
 */
public final class BaseBackup {
    /** Page-aligned fixed chunks: 8 pages of 8 KiB by default (ADR 0007 weighs smaller chunks against index size). */
    public static final int DEFAULT_CHUNK = 64 * 1024;

    private final Repository repo;
    private final Clock clock;
    private final int threads;
    private final int chunkSize;

    public BaseBackup(Repository repo, Clock clock, int threads) {
        this(repo, clock, threads, DEFAULT_CHUNK);
    }

    /** With chunks of {@code chunkSize} bytes, a multiple of the 8 KiB page. */
    public BaseBackup(Repository repo, Clock clock, int threads, int chunkSize) {
        if (chunkSize < PageChecksum.PAGE || chunkSize % PageChecksum.PAGE != 0) {
            throw new IllegalArgumentException("a chunk is a whole number of 8 KiB pages, not " + chunkSize + " bytes");
        }
        this.repo = repo;
        this.clock = clock;
        this.threads = threads;
        this.chunkSize = chunkSize;
    }

    public Snapshot run(PostgresTarget target, String name, Progress progress) {
        Instant started = clock.instant();
        long t0 = System.nanoTime();
        Properties props = new Properties();
        props.setProperty("user", target.user());
        target.password().ifPresent(p -> props.setProperty("password", p));
        props.setProperty("ApplicationName", "lifeboat backup");
        // A server that accepts the connection and never answers (a frozen VM) fails the backup instead of hanging it
        // and, in the agent, every schedule after it; no socket timeout: pg_backup_stop may wait long for archiving.
        props.setProperty("connectTimeout", "10");
        props.setProperty("loginTimeout", "30");
        try (Connection c = DriverManager.getConnection(target.jdbcUrl(), props); Statement st = c.createStatement()) {
            int version = Integer.parseInt(one(st, "SHOW server_version_num"));
            if (version < 120000) {
                // Recovery writes recovery.signal and its settings into postgresql.auto.conf, which PostgreSQL 12 brought;
                // a backup that no recovery could start is refused up front rather than found out in a disaster.
                throw new LifeboatException(ErrorCode.USAGE, "PostgreSQL " + version + " is older than 12",
                        "Lifeboat backs up and recovers PostgreSQL 12 and later (older servers need recovery.conf, which it does not write); "
                                + "use pgBackRest for this server until it is upgraded.");
            }
            // A session that runs for hours between pg_backup_start and pg_backup_stop: server-wide or per-role timeouts
            // meant for leaked connections must not end it (and with it the backup) after the copy.
            st.execute("SET statement_timeout = 0");
            st.execute("SET lock_timeout = 0");
            st.execute("SET idle_in_transaction_session_timeout = 0");
            if (version >= 140000) {
                st.execute("SET idle_session_timeout = 0");
            }
            Path dataDir = target.dataDir().toRealPath();
            Path serverDir = Path.of(one(st, "SHOW data_directory"));
            if (!Files.isSameFile(dataDir, serverDir)) {
                throw new LifeboatException(ErrorCode.USAGE, "the server's data directory is " + serverDir + ", not " + dataDir,
                        "Pass the data directory of the server you connect to (--data-dir), on the host it runs on.");
            }
            LocalServer.check(dataDir, Long.parseLong(one(st, "SELECT floor(extract(epoch FROM pg_postmaster_start_time()))::bigint")),
                    Integer.parseInt(one(st, "SHOW port")));
            long segmentSize = Long.parseLong(one(st, "SELECT setting FROM pg_settings WHERE name = 'wal_segment_size'"))
                    * (version < 110000 ? 8192 : 1);
            String systemId = one(st, "SELECT system_identifier FROM pg_control_system()");
            boolean standby = one(st, "SELECT pg_is_in_recovery()").equals("t");
            // Reserve WAL from now until this session ends, so no segment the backup needs is recycled.
            String slot = "lifeboat_backup_" + ProcessHandle.current().pid() + "_" + (System.nanoTime() & 0xffff);
            one(st, "SELECT pg_create_physical_replication_slot('" + slot + "', true, true)");
            String label = ("lifeboat " + name + " " + started).replace("'", "''");
            Lsn start = Lsn.parse(one(st, version >= 150000 ? "SELECT pg_backup_start('" + label + "', true)"
                    : "SELECT pg_start_backup('" + label + "', true, false)"));
            int timeline = Integer.parseInt(one(st, "SELECT timeline_id FROM pg_control_checkpoint()"));
            boolean checksums = "on".equals(one(st, "SHOW data_checksums"));
            ChecksumVerifier verifier = new ChecksumVerifier(start.value());

            List<Tablespace> tablespaces = tablespaces(st);
            List<ExternalConfig.Captured> externalConfig = ExternalConfig.read(st, dataDir);
            String versionDir = "PG_" + (version / 10000) + "_" + one(st, "SELECT catalog_version_no FROM pg_control_system()");

            BlobSink sink = repo.newSink();
            Chunker chunker = new FixedChunker(chunkSize);
            // For progress only: pg_wal's content is not copied (the WAL the backup needs is added at the end).
            long total = DirectoryBackup.sizeOf(dataDir) - DirectoryBackup.sizeOf(dataDir.resolve("pg_wal"));
            for (Tablespace t : tablespaces) {
                Path v = Path.of(t.location()).resolve(versionDir);
                total += !t.location().isEmpty() && Files.isDirectory(v) ? DirectoryBackup.sizeOf(v) : 0;
            }
            Integer uid = (Integer) Files.getAttribute(dataDir, "unix:uid", LinkOption.NOFOLLOW_LINKS);
            Integer gid = (Integer) Files.getAttribute(dataDir, "unix:gid", LinkOption.NOFOLLOW_LINKS);
            try (TreeWriter tree = new TreeWriter(sink, repo.fileChunker(), threads, progress, total)) {
                Map<String, String> stored = new DataDirectoryCopy(dataDir, versionDir, tree, chunker,
                        checksums ? Optional.of(verifier) : Optional.empty()).run();
                // On a primary pg_backup_stop itself switches to a new segment (RequestXLogSwitch), so the segment holding
                // the stop position is complete; a pg_switch_wal() here would need a privilege the backup role lacks.
                String[] stop = stop(st, version);
                Lsn stopLsn = Lsn.parse(stop[0]);
                long mtime = clock.instant().toEpochMilli() * 1_000_000;
                tree.file("backup_label", stop[1].getBytes(StandardCharsets.UTF_8), 0600, mtime, uid, gid);
                // No tablespace_map: the tablespaces' contents are in the backup (under pg_tblspc/OID), and a restore
                // places them; PostgreSQL reading the map would link them back to the original locations.
                Map<String, String> configLabels = new LinkedHashMap<>();
                ExternalConfig.store(externalConfig, tree, mtime, uid, gid, configLabels);
                List<String> wal = copyWal(dataDir, tree, chunker, timeline, start, stopLsn, segmentSize);
                BlobSink.Stats content = sink.stats();
                List<String> ids = tree.finish();
                BlobSink.Stats stats = sink.finish();
                Map<String, String> labels = new LinkedHashMap<>();
                labels.put("start_lsn", start.toString());
                labels.put("stop_lsn", stopLsn.toString());
                labels.put("timeline", Integer.toString(timeline));
                labels.put("server_version_num", Integer.toString(version));
                labels.put("system_identifier", systemId);
                labels.put("wal_segment_size", Long.toString(segmentSize));
                labels.put("wal_first", wal.get(0));
                labels.put("wal_last", wal.get(wal.size() - 1));
                labels.put("from_standby", Boolean.toString(standby));
                // Restores as root give the copy to the user of this name on their host (ServerOwner): uids differ.
                labels.put(dev.lifeboat.postgres.recovery.ServerOwner.LABEL, Files.getOwner(dataDir, LinkOption.NOFOLLOW_LINKS).getName());
                labels.put(dev.lifeboat.postgres.tablespace.OlderLayout.LABEL, "2"); // links stored as what they point at
                labelTablespaces(labels, stored, tablespaces, tablespaces(st));
                labels.putAll(configLabels);
                labels.put("page_checksums", checksums ? "verified " + verifier.pagesChecked() + " pages" : "off in this cluster");
                labels.put("checksum_failures", Integer.toString(verifier.failures().size()));
                if (!verifier.failures().isEmpty()) {
                    labels.put("checksum_failure_pages", String.join("; ", verifier.failures().subList(0, Math.min(20, verifier.failures().size()))));
                }
                SnapshotManifest manifest = new SnapshotManifest(SnapshotManifest.FORMAT, started.toString(), clock.instant().toString(),
                        DirectoryBackup.hostname(), "postgres", name, dataDir.toString(), List.of(), chunker.describe(), ids,
                        new SnapshotManifest.Stats(tree.files(), tree.directories(), content.bytes(), content.newBytes(), stats.storedBytes(),
                                content.chunks(), content.newChunks(), (System.nanoTime() - t0) / 1_000_000),
                        labels);
                return repo.snapshots().save(manifest);
            }
        } catch (SQLException e) {
            throw new LifeboatException(ErrorCode.PROCESS_FAILED, ErrorCode.PROCESS_FAILED.format("PostgreSQL base backup", e.getMessage()),
                    "Check that the role has REPLICATION and may run pg_backup_start, and that max_replication_slots has room.", e);
        } catch (IOException e) {
            throw new LifeboatException(ErrorCode.USAGE, "cannot read " + target.dataDir() + ": " + e.getMessage(),
                    "Run the backup on the database host as a user that can read the data directory (postgres or root).", e);
        }
    }

    /**
     * Labels every tablespace the copy stored, named as the server names it after the backup (or before, for one
     * dropped meanwhile, whose drop replay then applies).
     */
    private static void labelTablespaces(Map<String, String> labels, Map<String, String> stored, List<Tablespace> before, List<Tablespace> after) {
        stored.forEach((oid, location) -> {
            String name = after.stream().filter(t -> t.oid().equals(oid)).map(Tablespace::name).findFirst()
                    .or(() -> before.stream().filter(t -> t.oid().equals(oid)).map(Tablespace::name).findFirst()).orElse("oid-" + oid);
            new Tablespace(oid, name, location).label(labels);
        });
    }

    /** The cluster's user tablespaces (not pg_default and pg_global, which live in the data directory). */
    private static List<Tablespace> tablespaces(Statement st) throws SQLException {
        List<Tablespace> out = new ArrayList<>();
        try (ResultSet rs = st.executeQuery("SELECT oid, spcname, pg_tablespace_location(oid) FROM pg_tablespace "
                + "WHERE spcname NOT IN ('pg_default', 'pg_global') ORDER BY oid")) {
            while (rs.next()) {
                String location = rs.getString(3);
                // An in-place tablespace (PostgreSQL 15: a directory in pg_tblspc) shows a relative location.
                out.add(new Tablespace(rs.getString(1), rs.getString(2), location == null || !location.startsWith("/") ? "" : location));
            }
        }
        return out;
    }

    /** Stops the backup: returns the stop LSN, the backup_label and the tablespace_map. */
    private static String[] stop(Statement st, int version) throws SQLException {
        String sql = version >= 150000 ? "SELECT lsn, labelfile, spcmapfile FROM pg_backup_stop(false)"
                : "SELECT lsn, labelfile, spcmapfile FROM pg_stop_backup(false, false)";
        try (ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return new String[] {rs.getString(1), rs.getString(2), rs.getString(3)};
        }
    }

    /** Copies the WAL segments from the start to the stop position (and the timeline's history) into pg_wal/. */
    private static List<String> copyWal(Path dataDir, TreeWriter tree, Chunker chunker, int timeline, Lsn start, Lsn stop,
                                        long segmentSize) throws IOException {
        Path pgWal = dataDir.resolve("pg_wal");
        List<String> names = new ArrayList<>();
        WalSegment last = WalSegment.lastNeededUpTo(timeline, stop, segmentSize);
        for (WalSegment seg = WalSegment.of(timeline, start, segmentSize); seg.compareTo(last) <= 0; seg = seg.next()) {
            Path file = pgWal.resolve(seg.fileName());
            if (!Files.exists(file)) {
                throw LifeboatException.of(ErrorCode.OBJECT_MISSING, "WAL segment " + seg + " needed by the backup is not in " + pgWal
                        + " (between " + start + " and " + stop + ")");
            }
            tree.file("pg_wal/" + seg.fileName(), file, chunker);
            names.add(seg.fileName());
        }
        Path history = pgWal.resolve(TimelineHistory.fileName(timeline));
        if (timeline > 1 && Files.exists(history)) {
            tree.file("pg_wal/" + history.getFileName(), history, chunker);
        }
        return names;
    }

    private static String one(Statement st, String sql) throws SQLException {
        try (ResultSet rs = st.executeQuery(sql)) {
            if (!rs.next()) {
                throw new SQLException("no row from " + sql);
            }
            return rs.getString(1);
        }
    }
}
