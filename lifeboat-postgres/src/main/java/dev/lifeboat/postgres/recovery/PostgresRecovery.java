package dev.lifeboat.postgres.recovery;

import dev.lifeboat.core.error.ErrorCode;
import dev.lifeboat.core.error.LifeboatException;
import dev.lifeboat.postgres.wal.Lsn;
import dev.lifeboat.postgres.wal.WalArchive;
import dev.lifeboat.postgres.wal.WalChain;
import dev.lifeboat.postgres.wal.WalSegment;
import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.Snapshot;
import dev.lifeboat.repository.files.DeltaRestore;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

/**
 * Recovers a cluster from the repository into a new data directory: plans (which backup, which WAL, how many bytes,
 * an estimate from a measured read), then restores, stages WAL, starts PostgreSQL, waits until it has replayed to
 * the target and promoted, and reports the time of each phase and the point reached.
 */
public final class PostgresRecovery {
    /** Assumed replay speed for the estimate; replay is usually faster than reading the repository. */
    static final double REPLAY_MB_PER_SECOND = 100;
    /** The read rate assumed when none could be measured. */
    static final double UNMEASURED_MB_PER_SECOND = 100;
    /**
     * Starting PostgreSQL on the restored directory and promoting it, for a small cluster: 0.3 to 0.6 s measured here,
     * plus the fsyncs that make the restored files and the end-of-recovery checkpoint durable, which took from 0.1 s
     * to 1.5 s on this machine's virtual disk from one run to the next.
     */
    static final double START_SECONDS = 1.0;

    private final Repository repo;
    private final String cluster;
    private final WalArchive archive;
    private boolean keepArchiving;
    private List<String> extraSettings = List.of();
    private List<String> hbaFirst = List.of();

    public PostgresRecovery(Repository repo, String cluster) {
        this.repo = repo;
        this.cluster = cluster;
        this.archive = new WalArchive(repo, cluster);
    }

    /** What a recovery will do. */
    public record Plan(Snapshot backup, RecoveryTarget target, List<WalSegment> wal, boolean partialTail, long restoreBytes,
                       long walBytes, double readMbPerSecond, Duration estimate) {
    }

    /**
     * What a recovery did; {@code delta} is present for a delta restore into an existing directory, and {@code owner}
     * says whose the restored files are, and why ({@link ServerOwner}).
     */
    public record Result(Plan plan, Path dataDir, int port, Duration restore, Duration replay, Duration total,
                         Optional<String> lastReplayedCommit, String currentLsn, Optional<DeltaRestore.Result> delta, ReplayReach reach,
                         String owner) {
    }

    /**
     * How far replay got against the WAL staged for it: where the last record replayed ends ({@code
     * pg_last_wal_replay_lsn()}, which stays put after promotion), the staged segments and whether the last is a
     * partial one. A record PostgreSQL cannot read (a bad CRC inside a stored segment) ends archive recovery there as
     * if the WAL ended, so a replay to the latest point must be checked against what was staged.
     */
    public record ReplayReach(Optional<Lsn> replayEnd, Lsn stagedEnd, long segmentSize, List<String> staged, boolean lastPartial) {
        /**
         * Empty when replay reached the last staged segment, or the one before it when the last is partial (the record
         * that crosses into a partial segment may be incomplete); else one sentence on where replay stopped short.
         */
        public Optional<String> shortfall() {
            if (staged.isEmpty() || replayEnd.isEmpty()) {
                return Optional.empty();
            }
            long last = dev.lifeboat.postgres.wal.WalSegment.parse(staged.get(staged.size() - 1), segmentSize).orElseThrow().number();
            // The end of the last record replayed is the position after it: a record ending exactly at a boundary
            // belongs to the segment before.
            long reached = Math.max(0, replayEnd.get().value() - 1) / segmentSize;
            if (reached >= last - (lastPartial ? 1 : 0)) {
                return Optional.empty();
            }
            return Optional.of("replay stopped at " + replayEnd.get() + ", " + (last - reached) + " segment(s) before the end of the staged WAL ("
                    + stagedEnd + "): PostgreSQL could not read the next record, so a stored segment is damaged there and no point after "
                    + replayEnd.get() + " is recoverable");
        }
    }

    /**
     * Plans a recovery.
     *
     * @throws LifeboatException {@code snapshot-not-found} when no backup can reach the target, naming the nearest
     *                           reachable point
     */
    public Plan plan(Optional<String> backupId, RecoveryTarget target) {
        Snapshot backup = backupId.map(id -> repo.snapshots().find(id, Optional.empty())).orElseGet(() -> choose(target));
        if (!"postgres".equals(backup.manifest().kind()) || !cluster.equals(backup.manifest().name())) {
            throw new LifeboatException(ErrorCode.USAGE, "snapshot " + backup.shortId() + " is not a PostgreSQL backup of " + cluster, null);
        }
        if (target.time().isPresent() && target.time().get().isBefore(Instant.parse(backup.manifest().ended()))) {
            throw new LifeboatException(ErrorCode.SNAPSHOT_NOT_FOUND, "the target " + target + " is before backup " + backup.shortId()
                    + " ended (" + backup.manifest().ended() + "); it cannot be reached from it",
                    "Choose an earlier backup with --backup-id, or a target after " + backup.manifest().ended() + ".");
        }
        Lsn stop = Lsn.parse(backup.manifest().labels().get("stop_lsn"));
        long segmentSize = Long.parseLong(backup.manifest().labels().get("wal_segment_size"));
        WalChain walChain = WalChain.of(archive, segmentSize);
        if (!walChain.leadsFrom(backup)) {
            throw new LifeboatException(ErrorCode.SNAPSHOT_NOT_FOUND, "backup " + backup.shortId() + " is on timeline "
                    + backup.manifest().labels().get("timeline") + " after timeline " + walChain.history().timeline()
                    + " branched off it; recovery follows the newest timeline, " + walChain.history().timeline(),
                    "Choose a backup taken on timeline " + walChain.history().timeline() + " or before it branched off.");
        }
        if (target.time().isPresent()) {
            // PostgreSQL stops at the first commit after the target time; WAL that ends before one (the newest stored
            // object is older than the target) fails the recovery after the whole restore (PostgreSQL 13+), or
            // promotes at the end of the WAL (12).
            Optional<Instant> newest = archive.newestObjectTime();
            if (newest.isPresent() && target.time().get().isAfter(newest.get())) {
                throw new LifeboatException(ErrorCode.OBJECT_MISSING, "the target " + target + " is after the archived WAL of " + cluster
                        + " (last stored at " + newest.get() + ")", "Recover with --latest to replay everything archived, or choose a "
                        + "time before " + newest.get() + ". If the agent is streaming, WAL is stored every second: try again shortly.");
            }
        }
        if (target.lsn().isPresent() && target.lsn().get().isBefore(stop)) {
            throw new LifeboatException(ErrorCode.SNAPSHOT_NOT_FOUND, "the target " + target + " is before backup " + backup.shortId()
                    + " became consistent (" + stop + "); it cannot be reached from it",
                    "Choose an earlier backup with --backup-id, or a target at or after " + stop + ".");
        }
        int timeline = Integer.parseInt(backup.manifest().labels().get("timeline"));
        Lsn start = Lsn.parse(backup.manifest().labels().get("start_lsn"));
        // Across promotions: the copies replay along the newest timeline's history reads.
        List<WalChain.Link> chain = walChain.from(WalSegment.of(timeline, start, segmentSize).number());
        List<WalSegment> wal = chain.stream().filter(WalChain.Link::whole).map(WalChain.Link::segment).toList();
        boolean partial = !chain.isEmpty() && !chain.get(chain.size() - 1).whole();
        WalSegment next = partial ? chain.get(chain.size() - 1).segment()
                : wal.isEmpty() ? WalSegment.of(timeline, start, segmentSize) : wal.get(wal.size() - 1).next();
        if (wal.isEmpty() && !partial) {
            throw LifeboatException.of(ErrorCode.OBJECT_MISSING, "no archived WAL from " + start + " for " + cluster
                    + ": point-in-time recovery needs WAL streaming ('lifeboat agent') since the backup");
        }
        if (target.lsn().isPresent()) {
            Lsn end = partial ? next.start().plus(archive.partial(next).map(b -> (long) b.length).orElse(0L))
                    : wal.get(wal.size() - 1).next().start();
            if (target.lsn().get().isAfter(end)) {
                throw new LifeboatException(ErrorCode.OBJECT_MISSING, "the target " + target + " is beyond the archived WAL of " + cluster,
                        "The nearest reachable point is the end of the archived WAL, " + end + " (recover with --latest to reach it).");
            }
        }
        long walBytes = (wal.size() + (partial ? 1 : 0)) * segmentSize;
        long restoreBytes = backup.manifest().stats().bytes();
        // Measure: read a few packs of the backup as the restore will (as many threads, after a warm-up).
        // Nothing readable (the recovery will say why): assume a modest rate rather than fail over an estimate.
        double rate = dev.lifeboat.repository.files.ReadRate.measure(repo, backup, Runtime.getRuntime().availableProcessors())
                .map(r -> Math.max(1, r.mbPerSecond())).orElse(UNMEASURED_MB_PER_SECOND);
        double seconds = (restoreBytes + walBytes) / 1e6 / rate + walBytes / 1e6 / REPLAY_MB_PER_SECOND + START_SECONDS;
        return new Plan(backup, target, wal, partial, restoreBytes, walBytes, rate, Duration.ofMillis((long) (seconds * 1000)));
    }

    /** Whether replay along the newest timeline's history can start from the backup: its start lies on that history. */
    private Snapshot choose(RecoveryTarget target) {
        List<Snapshot> all = repo.snapshots().list().stream()
                .filter(s -> "postgres".equals(s.manifest().kind()) && cluster.equals(s.manifest().name()))
                .sorted(Comparator.comparing(s -> Instant.parse(s.manifest().ended()))).toList();
        if (all.isEmpty()) {
            throw new LifeboatException(ErrorCode.SNAPSHOT_NOT_FOUND, "there is no PostgreSQL backup of " + cluster + " in the repository",
                    "Take one with 'lifeboat backup postgres --cluster " + cluster + "'.");
        }
        // Only backups on the newest timeline's history (a backup of the old primary taken after a promotion or a
        // point-in-time fork is on a timeline recovery does not follow).
        long segmentSize = Long.parseLong(all.get(0).manifest().labels().get("wal_segment_size"));
        WalChain chain = WalChain.of(archive, segmentSize);
        List<Snapshot> backups = all.stream().filter(chain::leadsFrom).toList();
        if (backups.isEmpty()) {
            throw new LifeboatException(ErrorCode.SNAPSHOT_NOT_FOUND, "no backup of " + cluster + " is on timeline " + chain.history().timeline()
                    + ", the newest archived timeline, or before it branched off", "Take a new backup with 'lifeboat backup postgres --cluster "
                    + cluster + "'.");
        }
        if (target.lsn().isPresent()) {
            Snapshot chosen = null;
            for (Snapshot s : backups) {
                if (!Lsn.parse(s.manifest().labels().get("stop_lsn")).isAfter(target.lsn().get())) {
                    chosen = s;
                }
            }
            if (chosen == null) {
                throw new LifeboatException(ErrorCode.SNAPSHOT_NOT_FOUND, "the target " + target + " is before the first backup of " + cluster
                        + " became consistent", "The earliest reachable point is " + backups.get(0).manifest().labels().get("stop_lsn") + ".");
            }
            return chosen;
        }
        if (target.xid().isPresent() || target.name().isPresent()) {
            // Where a transaction or restore point lies is only known by replaying: start from the oldest backup
            // whose WAL runs without a gap to the end of the archive, which reaches every point after it.
            long end = chain.newest().map(l -> l.segment().number()).orElse(-1L);
            for (Snapshot s : backups) {
                List<WalChain.Link> run = chain.from(WalSegment.of(Integer.parseInt(s.manifest().labels().get("timeline")),
                        Lsn.parse(s.manifest().labels().get("start_lsn")), segmentSize).number());
                if (!run.isEmpty() && run.get(run.size() - 1).segment().number() == end) {
                    return s;
                }
            }
            return backups.get(backups.size() - 1);
        }
        if (target.time().isEmpty()) {
            return backups.get(backups.size() - 1);
        }
        Snapshot chosen = null;
        for (Snapshot s : backups) {
            if (!Instant.parse(s.manifest().ended()).isAfter(target.time().get())) {
                chosen = s;
            }
        }
        if (chosen == null) {
            throw new LifeboatException(ErrorCode.SNAPSHOT_NOT_FOUND, "the target " + target + " is before the first backup of " + cluster,
                    "The earliest reachable point is the end of backup " + backups.get(0).shortId() + ": " + backups.get(0).manifest().ended() + ".");
        }
        return chosen;
    }

    /**
     * Keeps the copy archiving as its configuration says (for a copy that becomes the new primary); by default
     * recovery turns archiving off ({@link CopyIsolation}).
     */
    public PostgresRecovery keepArchiving(boolean keep) {
        this.keepArchiving = keep;
        return this;
    }

    /** More postgresql.auto.conf lines for the copy, after Lifeboat's own (e.g. a scratch cluster's smaller memory). */
    public PostgresRecovery withSettings(List<String> settings) {
        this.extraSettings = List.copyOf(settings);
        return this;
    }

    /**
     * pg_hba.conf lines the copy checks before its own (e.g. a scratch copy's {@code local all all trust}: its socket
     * lies in its own data directory, which only its owner can enter).
     */
    public PostgresRecovery withHbaFirst(List<String> lines) {
        this.hbaFirst = List.copyOf(lines);
        return this;
    }

    private static void prependHba(Path dataDir, List<String> lines) {
        if (lines.isEmpty()) {
            return;
        }
        Path hba = dataDir.resolve("pg_hba.conf");
        try {
            String existing = java.nio.file.Files.exists(hba) ? java.nio.file.Files.readString(hba) : "";
            java.nio.file.attribute.UserPrincipal owner = java.nio.file.Files.getOwner(dataDir);
            java.nio.file.Files.writeString(hba, "# lifeboat: first, for this copy only\n" + String.join("\n", lines) + "\n\n" + existing);
            java.nio.file.Files.setOwner(hba, owner);
        } catch (java.io.IOException e) {
            throw new LifeboatException(ErrorCode.USAGE, "cannot write " + hba + ": " + e.getMessage(), "Check the permissions of the target.", e);
        }
    }

    private List<String> settings(int port, Path dataDir, dev.lifeboat.repository.Snapshot backup) {
        List<String> out = new java.util.ArrayList<>(List.of("port = " + port, "listen_addresses = '127.0.0.1'",
                // A list: the directory double-quoted within it, so a comma in the path is part of the name.
                "unix_socket_directories = " + RecoveryPreparation.literal("\"" + dataDir.toString().replace("\"", "\"\"") + "\"")));
        out.addAll(CopyIsolation.settings(keepArchiving));
        out.addAll(CopyIsolation.configFiles(backup.manifest().labels(), dataDir));
        out.addAll(extraSettings);
        return out;
    }

    /** Carries out a plan into {@code dataDir} (new or empty); the server is left running on {@code port}. */
    public Result recover(Plan plan, Path dataDir, int port, String user, Optional<String> password, Optional<Path> binDir, Duration limit) {
        return recover(plan, dataDir, port, user, password, binDir, limit, false);
    }

    /**
     * As {@link #recover(Plan, Path, int, String, Optional, Optional, Duration)}; with {@code delta} the directory
     * may hold an older copy of the cluster (stopped), of which only what differs is rewritten.
     */
    public Result recover(Plan plan, Path dataDir, int port, String user, Optional<String> password, Optional<Path> binDir, Duration limit,
                          boolean delta) {
        List<dev.lifeboat.postgres.tablespace.Tablespace> tablespaces = dev.lifeboat.postgres.tablespace.Tablespace.of(plan.backup());
        return recover(plan, dataDir, port, user, password, binDir, limit, delta,
                delta ? dev.lifeboat.postgres.tablespace.TablespacePlacement.forDelta(tablespaces, List.of(), dataDir)
                        : dev.lifeboat.postgres.tablespace.TablespacePlacement.defaults(tablespaces, dataDir));
    }

    /** As above, placing the backup's tablespaces as {@code tablespaces} says. */
    public Result recover(Plan plan, Path dataDir, int port, String user, Optional<String> password, Optional<Path> binDir, Duration limit,
                          boolean delta, dev.lifeboat.postgres.tablespace.TablespacePlacement tablespaces) {
        long t0 = System.nanoTime();
        // The server resolves restore_command's and the socket's paths against its working directory: only absolute ones hold.
        dataDir = dataDir.toAbsolutePath().normalize();
        Path bin = ServerBinaries.forBackup(binDir, plan.backup()); // before fetching anything: the right version, or stop
        Path walDir = dataDir.resolveSibling(dataDir.getFileName() + ".wal");
        RecoveryPreparation.Prepared prepared = new RecoveryPreparation(repo, archive).prepare(plan.backup(), plan.target(), dataDir, walDir,
                settings(port, dataDir, plan.backup()), delta, tablespaces);
        Duration restore = Duration.ofNanos(System.nanoTime() - t0);
        PostgresControl control = PostgresControl.of(dataDir, Optional.of(bin));
        prependHba(dataDir, hbaFirst);
        try {
            control.start(limit);
        } catch (LifeboatException e) {
            // The target may be past the archived WAL's last commit: the server then ends recovery with a FATAL
            // before pg_ctl sees it ready.
            throw targetNotReached(control, e).orElse(e);
        }
        String url = "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
        Properties props = new Properties();
        props.setProperty("user", user);
        password.ifPresent(p -> props.setProperty("password", p));
        long deadline = System.nanoTime() + limit.toNanos();
        try (Connection c = DriverManager.getConnection(url, props); Statement st = c.createStatement()) {
            boolean pauses = plan.target().pause() && !plan.target().isLatest();
            while (pauses ? !paused(st) : one(st, "SELECT pg_is_in_recovery()").equals("t")) {
                if (System.nanoTime() > deadline) {
                    throw LifeboatException.of(ErrorCode.PROCESS_FAILED, "recovery of " + dataDir + " did not finish within "
                            + limit.toSeconds() + "s; the server keeps replaying, see " + control.log());
                }
                Thread.sleep(100);
            }
            if (!pauses) {
                // Promoted: the staged WAL (decrypted) is no longer read; a paused copy still replays from it.
                dev.lifeboat.core.io.Trees.deleteQuietly(walDir);
            }
            Optional<String> last = Optional.ofNullable(one(st, "SELECT pg_last_xact_replay_timestamp()"));
            String lsn = one(st, "SELECT CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END");
            Optional<Lsn> replayEnd = Optional.ofNullable(one(st, "SELECT pg_last_wal_replay_lsn()")).map(Lsn::parse);
            ReplayReach reach = new ReplayReach(replayEnd, prepared.walEnd(), Long.parseLong(plan.backup().manifest().labels().get("wal_segment_size")),
                    prepared.segments(), prepared.lastPartial());
            Duration total = Duration.ofNanos(System.nanoTime() - t0);
            return new Result(plan, dataDir, port, restore, total.minus(restore), total, last, lsn, prepared.delta(), reach, prepared.owner());
        } catch (SQLException e) {
            throw serverFailed(control, port, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LifeboatException(ErrorCode.INTERRUPTED, "interrupted while waiting for recovery", null, e);
        }
    }

    /**
     * Why the recovered server could not be asked, from its own log when it says: a target past the last commit the
     * WAL holds ends recovery with a FATAL, which is the user's to fix, not a failure to connect. A server that logged
     * a FATAL or PANIC yet still runs is stopped, so a failed recovery leaves no postmaster behind; its directory
     * stays for inspection.
     */
    private static LifeboatException serverFailed(PostgresControl control, int port, SQLException e) {
        String log = "";
        try {
            log = java.nio.file.Files.readString(control.log());
        } catch (java.io.IOException | RuntimeException unreadable) {
            // said as the connection failure below
        }
        Optional<LifeboatException> notReached = targetNotReached(control, e);
        if (notReached.isPresent()) {
            return notReached.get();
        }
        Optional<String> fatal = log.lines().filter(l -> l.contains("FATAL:") && !l.contains("authentication") || l.contains("PANIC:"))
                .reduce((a, b) -> b).map(l -> l.substring(l.indexOf(l.contains("PANIC:") ? "PANIC:" : "FATAL:")));
        // A server that failed is stopped, leaving no postmaster behind; one that runs and only refused this connection
        // (a password, pg_hba.conf) is recovering fine and is left to the operator.
        String state = "";
        if (control.running()) {
            if (fatal.isPresent()) {
                try {
                    control.stop(Duration.ofSeconds(30));
                    state = "; the server was stopped";
                } catch (RuntimeException stop) {
                    state = "; the server could not be stopped (" + stop.getMessage() + ")";
                }
            } else {
                state = "; the server still runs (stop it with pg_ctl -D " + control.log().getParent() + " stop, or connect as a role its "
                        + "pg_hba.conf lets in)";
            }
        }
        return new LifeboatException(ErrorCode.PROCESS_FAILED, ErrorCode.PROCESS_FAILED.format("connecting to the recovered server on port "
                + port, e.getMessage()) + fatal.map(f -> " (the server log: " + f + ")").orElse("") + state, "See " + control.log() + ".", e);
    }

    /** The server's own word that the WAL ended before the target (PostgreSQL 13 and later), as the user's error. */
    private static Optional<LifeboatException> targetNotReached(PostgresControl control, Exception cause) {
        try {
            if (java.nio.file.Files.readString(control.log()).contains("recovery ended before configured recovery target was reached")) {
                return Optional.of(new LifeboatException(ErrorCode.OBJECT_MISSING, "PostgreSQL replayed all the WAL the repository holds "
                        + "without reaching the target: the archived WAL has no commit or restore point at or after it; the server stopped",
                        "Choose an earlier target, or --latest for everything the repository holds; the server log is " + control.log() + ".",
                        cause));
            }
        } catch (java.io.IOException | RuntimeException unreadable) {
            // no log to tell
        }
        return Optional.empty();
    }

    /** Whether replay has paused at the target (recovery_target_action = 'pause' requests the pause there). */
    private static boolean paused(Statement st) throws SQLException {
        return "t".equals(one(st, "SELECT pg_is_wal_replay_paused()"));
    }

    private static String one(Statement st, String sql) throws SQLException {
        try (ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
