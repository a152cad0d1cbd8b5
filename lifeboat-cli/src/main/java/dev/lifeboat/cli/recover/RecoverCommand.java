package dev.lifeboat.cli.recover;

import dev.lifeboat.cli.RepositoryAccess;
import dev.lifeboat.cli.output.Output;
import dev.lifeboat.cli.output.Sizes;
import dev.lifeboat.core.error.ErrorCode;
import dev.lifeboat.core.error.LifeboatException;
import dev.lifeboat.core.plan.PostgresCluster;
import dev.lifeboat.core.time.Durations;
import dev.lifeboat.postgres.recovery.PostgresRecovery;
import dev.lifeboat.postgres.recovery.RecoveryTarget;
import dev.lifeboat.repository.Repository;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.List;
import java.util.ArrayList;
import dev.lifeboat.postgres.tablespace.Tablespace;
import dev.lifeboat.postgres.tablespace.TablespacePlacement;
import java.util.concurrent.Callable;
import dev.lifeboat.cli.redis.RedisOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code lifeboat recover}: the seed's disaster-recovery.sh for PostgreSQL. */
@Command(name = "recover", mixinStandardHelpOptions = true,
        description = {"Recover a PostgreSQL cluster or a Redis cache from the repository.",
                "",
                "--mode cache restores the newest Redis backup of --instance into a running empty server (--to HOST:PORT, "
                        + "keys replayed with RESTORE, TTLs kept) or into the data directory of a stopped one (--data-dir DIR, "
                        + "existing dump and AOF moved aside; with --port it is started there). The RDB is checked to its end "
                        + "before the target is touched, and every key is read back and compared afterwards.",
                "",
                "--mode database-only restores the newest backup and replays all archived WAL; --mode point-in-time "
                        + "stops at --target-time (UTC unless a zone is given), --target-lsn, --target-xid or --target-name (a "
                        + "restore point), and promotes, or with --pause stays read-only there for inspection. A target before "
                        + "the first backup or beyond the archived WAL is refused with the nearest reachable point. The target "
                        + "directory must be new or empty: a running cluster's directory is refused. --dry-run prints the plan: the backup, the WAL "
                        + "range, the bytes to fetch and an estimate from a measured read of a few packs of the backup; --confirm carries it out, starts "
                        + "PostgreSQL on --port, waits until it has replayed and promoted (or paused), and reports each phase. The WAL "
                        + "comes from 'lifeboat agent' streaming; the original server is never touched."},
        footer = {"", "Exit status: 0 recovered (or planned); 79 no backup reaches the target; 75 WAL missing; 74 the copy runs, but replay "
                + "stopped before the end of the archived WAL at a record it could not read (a damaged segment: the WARNING line "
                + "says where); 2 bad arguments."})
public final class RecoverCommand implements Callable<Integer> {
    /** The seed's recovery modes; full-system recovery comes with the drills. */
    enum Mode { DATABASE_ONLY, POINT_IN_TIME, CACHE }

    @Mixin
    RepositoryAccess access;

    @Mixin
    Output output;

    @Option(names = "--mode", required = true, paramLabel = "MODE", converter = ModeConverter.class,
            description = "database-only, point-in-time (PostgreSQL) or cache (Redis).")
    Mode mode;

    @Option(names = "--cluster", paramLabel = "NAME", description = "PostgreSQL: the cluster (the backups' name).")
    String cluster;

    @Option(names = "--instance", paramLabel = "NAME", description = "Redis (--mode cache): the instance (the backups' name).")
    String instance;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Redis: the data directory of a stopped instance to place the RDB in.")
    Path dataDir;

    @Option(names = "--backup-id", paramLabel = "ID", description = "Start from this backup (default: the newest that reaches the target).")
    String backupId;

    @Option(names = "--target-time", paramLabel = "TIME", description = "Stop just before this time, e.g. 2026-11-24T01:00:00Z or '2026-11-24 01:00:00'.")
    String targetTime;

    @Option(names = "--target-lsn", paramLabel = "LSN", description = "Stop just after this WAL position, e.g. 0/3000060.")
    String targetLsn;

    @Option(names = "--target-xid", paramLabel = "XID", description = "Stop just after this transaction commits.")
    String targetXid;

    @Option(names = "--target-name", paramLabel = "NAME", description = "Stop at this restore point (made with pg_create_restore_point).")
    String targetName;

    @Option(names = "--pause", description = "Stay in recovery at the target (read-only, to inspect) instead of promoting; "
            + "SELECT pg_wal_replay_resume() then promotes.")
    boolean pause;

    @Option(names = "--latest", description = "Replay all archived WAL (the default for database-only).")
    boolean latest;

    @Option(names = "--to", paramLabel = "DIR|HOST:PORT", description = "PostgreSQL: new data directory (new or empty unless --delta; WAL is "
            + "staged in DIR.wal). Redis: a running empty instance.")
    String to;

    @Option(names = "--delta", description = "PostgreSQL: --to holds an older copy of the cluster (stopped): compare it chunk by chunk "
            + "(keyed hash) and fetch only what differs; files the backup lacks (old WAL, signal files) are removed. Tablespaces are "
            + "patched where the copy's pg_tblspc links point (or where --tablespace-map says). With --dry-run, "
            + "says how much would be fetched and removed.")
    boolean delta;

    @Option(names = "--tablespace-map", paramLabel = "NAME=DIR", description = "PostgreSQL: put tablespace NAME (or OID) in DIR, new or "
            + "empty, linked from pg_tblspc; repeatable. Default: DIR.tablespaces/OID beside the new data directory, never the original "
            + "locations.")
    List<String> tablespaceMap = new ArrayList<>();

    @Option(names = "--keep-archiving", description = "PostgreSQL: keep archive_mode as the backup's configuration has it. By default the "
            + "recovered copy archives nothing, so it cannot put its new timeline into the original's archive; keep it for a copy that "
            + "becomes the new primary.")
    boolean keepArchiving;

    @Option(names = "--port", paramLabel = "PORT", description = "Port for the recovered server (PostgreSQL default: a free one; Redis "
            + "with --data-dir: start redis-server there on this port).")
    Integer port;

    @Option(names = "--user", paramLabel = "ROLE", description = "Role to check the recovered server with (default: the plan's, else postgres).")
    String user;

    @Option(names = "--timeout", paramLabel = "DURATION", description = "How long to wait for replay, or for a started Redis to load its data (default 30m).")
    String timeout;

    @Option(names = "--dry-run", description = "Print the plan and change nothing.")
    boolean dryRun;

    @Option(names = "--confirm", description = "Carry the recovery out.")
    boolean confirm;

    /** Accepts database-only and point-in-time. */
    static final class ModeConverter implements picocli.CommandLine.ITypeConverter<Mode> {
        @Override
        public Mode convert(String value) {
            return switch (value) {
                case "database-only" -> Mode.DATABASE_ONLY;
                case "point-in-time" -> Mode.POINT_IN_TIME;
                case "cache" -> Mode.CACHE;
                default -> throw new picocli.CommandLine.TypeConversionException("'" + value + "' is not database-only, point-in-time or cache");
            };
        }
    }

    /**
     * A cache recovery restores one snapshot whole: PostgreSQL's target and placement options would be silently
     * ignored (a --target-time would still restore the newest snapshot), so they are refused.
     */
    private void refuseForCache() {
        Map<String, Boolean> given = new LinkedHashMap<>();
        given.put("--cluster", cluster != null);
        given.put("--target-time", targetTime != null);
        given.put("--target-lsn", targetLsn != null);
        given.put("--target-xid", targetXid != null);
        given.put("--target-name", targetName != null);
        given.put("--pause", pause);
        given.put("--latest", latest);
        given.put("--delta", delta);
        given.put("--tablespace-map", !tablespaceMap.isEmpty());
        given.put("--keep-archiving", keepArchiving);
        given.put("--user", user != null);
        List<String> wrong = given.entrySet().stream().filter(Map.Entry::getValue).map(Map.Entry::getKey).toList();
        if (!wrong.isEmpty()) {
            throw new LifeboatException(ErrorCode.USAGE, String.join(", ", wrong) + (wrong.size() == 1 ? " is" : " are")
                    + " for PostgreSQL recovery; --mode cache restores a whole Redis snapshot",
                    "Choose the snapshot with --backup-id (see 'lifeboat backups list').");
        }
    }

    @Override
    public Integer call() {
        if (dryRun == confirm) {
            throw new LifeboatException(ErrorCode.USAGE, "say --dry-run to see the plan or --confirm to recover", "Recovery never starts without --confirm.");
        }
        if (mode == Mode.CACHE) {
            refuseForCache();
            RedisOptions redis = new RedisOptions();
            redis.select(instance);
            return new CacheRecovery(access, output, redis).run(Optional.ofNullable(backupId), Optional.ofNullable(to), Optional.ofNullable(dataDir),
                    Optional.ofNullable(port), Durations.parse(timeout == null ? "30m" : timeout), dryRun);
        }
        if (cluster == null || to == null) {
            throw new LifeboatException(ErrorCode.USAGE, "PostgreSQL recovery needs --cluster NAME and --to DIR", null);
        }
        if (instance != null || dataDir != null) {
            throw new LifeboatException(ErrorCode.USAGE, (instance != null ? "--instance" : "--data-dir") + " is for --mode cache (Redis); "
                    + "a PostgreSQL recovery goes into --to DIR", null);
        }
        // Absolute: the server reads restore_command and its socket directory relative to its own working directory.
        Path to = Path.of(this.to).toAbsolutePath().normalize();
        RecoveryTarget target = target();
        Repository repo = access.open();
        // Planned and carried out under the shared lock: a prune cannot remove the chosen backup or its WAL meanwhile.
        try (dev.lifeboat.cli.ReadLock lock = confirm ? dev.lifeboat.cli.ReadLock.take(repo, "recover " + cluster, output::decision)
                : dev.lifeboat.cli.ReadLock.none()) {
            return recoverPostgres(repo, to, target);
        }
    }

    private int recoverPostgres(Repository repo, Path to, RecoveryTarget target) {
        PostgresRecovery recovery = new PostgresRecovery(repo, cluster).keepArchiving(keepArchiving);
        PostgresRecovery.Plan plan = recovery.plan(Optional.ofNullable(backupId), target);
        int p = port != null ? port : dev.lifeboat.core.process.Ports.freeLoopback();
        boolean existing = java.nio.file.Files.isDirectory(to);
        dev.lifeboat.postgres.recovery.RecoveryPreparation.refuseRunning(to); // also on --dry-run: say so before any plan
        TablespacePlacement tablespaces = delta ? TablespacePlacement.forDelta(Tablespace.of(plan.backup()), tablespaceMap, to)
                : TablespacePlacement.of(Tablespace.of(plan.backup()), tablespaceMap, to);
        dev.lifeboat.postgres.tablespace.OlderLayout.check(repo, plan.backup());
        Optional<Path> bin = access.postgres(cluster).flatMap(PostgresCluster::binDir).map(Path::of);
        Path server = dev.lifeboat.postgres.recovery.ServerBinaries.forBackup(bin, plan.backup());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("dry_run", dryRun);
        m.put("cluster", cluster);
        m.put("backup", plan.backup().id());
        m.put("backup_ended", plan.backup().manifest().ended());
        m.put("target", target.toString());
        m.put("wal_segments", plan.wal().size());
        m.put("wal_partial_tail", plan.partialTail());
        m.put("fetch_bytes", plan.restoreBytes() + plan.walBytes());
        m.put("estimate_seconds", plan.estimate().toMillis() / 1000.0);
        m.put("to", to.toString());
        m.put("port", p);
        StringBuilder text = new StringBuilder();
        text.append(dryRun ? "Recovery plan for " + cluster + " (dry run: nothing changed)\n" : "Recovering " + cluster + "\n");
        text.append(String.format("  backup    %s, ended %s, %s, timeline %s%n", plan.backup().shortId(), plan.backup().manifest().ended(),
                Sizes.bytes(plan.restoreBytes()), plan.backup().manifest().labels().get("timeline")));
        text.append(String.format("  WAL       %d whole segment(s)%s from %s%n", plan.wal().size(), plan.partialTail() ? " and the partial one being filled" : "",
                plan.backup().manifest().labels().get("start_lsn")));
        text.append(String.format("  target    %s%n  into      %s (port %d), WAL staged in %s.wal%n", target, to, p, to));
        List<String> placed = tablespaces.describe(to);
        m.put("tablespaces", placed);
        placed.forEach(x -> text.append("  tablespace ").append(x).append('\n'));
        m.put("server_binaries", server.toString());
        text.append(String.format("  server    PostgreSQL %d binaries in %s%n", dev.lifeboat.postgres.recovery.ServerBinaries.major(plan.backup()), server));
        m.put("settings", dev.lifeboat.postgres.recovery.CopyIsolation.settings(keepArchiving));
        text.append("  settings  ").append(dev.lifeboat.postgres.recovery.CopyIsolation.describe(keepArchiving)).append('\n');
        text.append(String.format("  fetch     %s from the repository (read rate measured now: %.0f MB/s)%n", Sizes.bytes(plan.restoreBytes() + plan.walBytes()),
                plan.readMbPerSecond()));
        if (delta && dryRun && existing) {
            // The same comparison the delta restore makes, reading the existing files; nothing is written.
            dev.lifeboat.repository.files.DeltaRestore.Result d = new dev.lifeboat.repository.files.DeltaRestore(repo).elsewhere(tablespaces.subtrees()).dryRun()
                    .run(plan.backup(), to, dev.lifeboat.repository.files.Progress.NONE);
            m.put("delta_reused_bytes", d.reusedBytes());
            m.put("delta_fetch_bytes", d.fetchedBytes());
            m.put("delta_remove_paths", d.removed());
            text.append(String.format("  delta     %s of %s already in place; %s of files to fetch (the figure above is a full fetch); "
                    + "%d path(s) the backup lacks to remove%n", Sizes.bytes(d.reusedBytes()), to, Sizes.bytes(d.fetchedBytes()), d.removed()));
            d.removedPaths().stream().limit(20).forEach(x -> text.append("            remove ").append(x).append('\n'));
        } else if (delta && !existing) {
            text.append("  delta     " + to + " does not exist: a full restore\n");
        }
        text.append(String.format("  estimate  about %s (fetch at the measured rate, replay at ~100 MB/s, start)%n", Durations.format(
                java.time.Duration.ofSeconds(Math.max(1, plan.estimate().toSeconds())))));
        if (dryRun) {
            text.append("Run again with --confirm to recover.\n");
            output.emit(m, text::toString);
            return 0;
        }
        String role = user != null ? user : access.postgres(cluster).map(PostgresCluster::user).orElse("postgres");
        Optional<String> password = access.postgresPassword(cluster);
        PostgresRecovery.Result r = recovery.recover(plan, to, p, role, password, Optional.of(server), Durations.parse(timeout == null ? "30m" : timeout), delta, tablespaces);
        r.delta().ifPresent(d -> {
            m.put("delta_reused_bytes", d.reusedBytes());
            m.put("delta_fetched_bytes", d.fetchedBytes());
            m.put("delta_removed_paths", d.removed());
            text.append(String.format("  delta     %s already in place, %s fetched, %d path(s) removed%n", Sizes.bytes(d.reusedBytes()),
                    Sizes.bytes(d.fetchedBytes()), d.removed()));
        });
        m.put("owner", r.owner());
        text.append("  owner     ").append(r.owner()).append('\n');
        m.put("restore_seconds", r.restore().toMillis() / 1000.0);
        m.put("replay_seconds", r.replay().toMillis() / 1000.0);
        m.put("total_seconds", r.total().toMillis() / 1000.0);
        m.put("last_replayed_commit", r.lastReplayedCommit().orElse(null));
        m.put("current_lsn", r.currentLsn());
        java.util.Optional<String> shortfall = target.isLatest() ? r.reach().shortfall() : java.util.Optional.empty();
        m.put("replay_shortfall", shortfall.orElse(null));
        shortfall.ifPresent(f -> text.append("WARNING   ").append(f).append('\n'));
        text.append(String.format("  restore   %.1f s (files and WAL)%n  replay    %.1f s (start, replay to the target, promote)%n  total     %.1f s%n",
                r.restore().toMillis() / 1000.0, r.replay().toMillis() / 1000.0, r.total().toMillis() / 1000.0));
        text.append(target.pause()
                ? "Paused at the target: the last replayed commit is " + r.lastReplayedCommit().orElse("(none after the backup)") + ", WAL replayed to "
                        + r.currentLsn() + "; the server runs read-only on port " + p + ". Inspect it, then SELECT pg_wal_replay_resume() to promote.\n"
                : "Recovered: the last replayed commit is " + r.lastReplayedCommit().orElse("(none after the backup)") + "; the server runs on port "
                        + p + " and takes writes (new timeline, WAL at " + r.currentLsn() + ").\n");
        output.emit(m, text::toString);
        // A copy that lacks committed WAL the repository holds is not a success, whatever the server says.
        return shortfall.isPresent() ? ErrorCode.OBJECT_CORRUPT.exitStatus() : 0;
    }

    private RecoveryTarget target() {
        long given = java.util.stream.Stream.of(targetTime, targetLsn, targetXid, targetName).filter(java.util.Objects::nonNull).count();
        if (given > 1 || (latest && given > 0)) {
            throw new LifeboatException(ErrorCode.USAGE, "give one target: --target-time, --target-lsn, --target-xid, --target-name or --latest", null);
        }
        if (mode == Mode.POINT_IN_TIME && given == 0 && !latest) {
            throw new LifeboatException(ErrorCode.USAGE, "point-in-time recovery needs a target",
                    "Give --target-time, --target-lsn, --target-xid, --target-name, or --latest for the end of the archived WAL.");
        }
        if (mode == Mode.DATABASE_ONLY && given > 0) {
            throw new LifeboatException(ErrorCode.USAGE, "database-only recovery replays all WAL; a target needs --mode point-in-time", null);
        }
        RecoveryTarget t;
        try {
            t = targetTime != null ? RecoveryTarget.at(parseTime(targetTime))
                    : targetLsn != null ? RecoveryTarget.atLsn(dev.lifeboat.postgres.wal.Lsn.parse(targetLsn))
                    : targetXid != null ? RecoveryTarget.atXid(targetXid)
                    : targetName != null ? RecoveryTarget.atName(targetName) : RecoveryTarget.latest();
        } catch (IllegalArgumentException e) {
            throw new LifeboatException(ErrorCode.USAGE, e.getMessage(), "Write an LSN as 0/3000060, a transaction id as a number.");
        }
        if (pause && t.isLatest()) {
            throw new LifeboatException(ErrorCode.USAGE, "--pause needs a target", "Without a target recovery replays all WAL and promotes.");
        }
        return pause ? t.pausing() : t;
    }

    static Instant parseTime(String text) {
        String t = text.trim();
        try {
            return OffsetDateTime.parse(t).toInstant();
        } catch (DateTimeParseException e) {
            try {
                return LocalDateTime.parse(t.replace(' ', 'T')).toInstant(ZoneOffset.UTC);
            } catch (DateTimeParseException e2) {
                throw new LifeboatException(ErrorCode.USAGE, "'" + text + "' is not a time", "Write 2026-11-24T01:00:00Z or '2026-11-24 01:00:00' (UTC).");
            }
        }
    }

}
