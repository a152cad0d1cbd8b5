package dev.lifeboat.postgres.check;

import dev.lifeboat.core.error.LifeboatException;
import dev.lifeboat.postgres.recovery.PostgresControl;
import dev.lifeboat.postgres.recovery.PostgresRecovery;
import dev.lifeboat.postgres.recovery.RecoveryTarget;
import dev.lifeboat.repository.Json;
import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.codec.ObjectKind;
import dev.lifeboat.repository.store.StoreException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Proves a cluster's newest backup restores: recovers it with all archived WAL into a scratch data directory on a
 * free loopback port, lets PostgreSQL replay and promote, checks that replay reached the end of the archived WAL,
 * looks for corruption in every database ({@link CorruptionCheck}: pg_amcheck, or amcheck's B-tree check where the
 * binaries are older than PostgreSQL 14), records
 * the last verified recovery point in the repository when every step passed, then stops the scratch server and
 * deletes it.
 */
public final class FullVerification {
    private final Repository repo;

    public FullVerification(Repository repo) {
        this.repo = repo;
    }

    /**
     * The outcome.
     *
     * @param recoveryPoint the last commit replayed (or the backup's end when no commit came after it)
     * @param replayShortfall empty when replay reached the end of the archived WAL, else where it stopped and why
     *                        that means damage ({@link PostgresRecovery.ReplayReach#shortfall()})
     * @param amcheckOk     whether the corruption check found no corruption
     * @param amcheckOutput what the check said, when it found something
     * @param amcheckMethod the {@link CorruptionCheck.Method} that ran (absent in records written before there was a choice)
     */
    public record Result(String cluster, String backup, int walSegments, String recoveryPoint, String lsn, String replayShortfall,
                         boolean amcheckOk, String amcheckOutput, String amcheckMethod, long tookMillis, String verifiedAt) {
        /** The checker that ran. */
        public CorruptionCheck.Method method() {
            return amcheckMethod == null ? CorruptionCheck.Method.PG_AMCHECK : CorruptionCheck.Method.valueOf(amcheckMethod);
        }

        public Duration took() {
            return Duration.ofMillis(tookMillis);
        }

        /** Whether every step passed, so the recovery point was recorded as verified. */
        public boolean ok() {
            return amcheckOk && (replayShortfall == null || replayShortfall.isEmpty());
        }
    }

    /** Settings of the scratch cluster beyond a recovered copy's. */
    static final List<String> SCRATCH_SETTINGS = List.of("shared_buffers = '128MB'", "huge_pages = 'try'", "ssl = 'off'",
            // The socket trusts every role (below): only the server's own OS user (and root) may open it, even when the
            // data directory allows its group in (initdb --allow-group-access).
            "unix_socket_permissions = 0700");

    public Result run(String cluster, String user, Optional<String> password, Optional<Path> binDir, Duration limit) {
        return run(cluster, user, password, binDir, limit, note -> { });
    }

    /**
     * As {@link #run(String, String, Optional, Optional, Duration)}; first stops and deletes what killed verifications
     * left in the temporary directory ({@link ScratchDirectory}), telling {@code notes} one sentence per directory.
     */
    public Result run(String cluster, String user, Optional<String> password, Optional<Path> binDir, Duration limit, Consumer<String> notes) {
        long t0 = System.nanoTime();
        Path parent = ScratchDirectory.parent(Path.of(System.getProperty("java.io.tmpdir")));
        ScratchDirectory.sweep(parent, binDir).forEach(notes);
        // A scratch cluster, often on the production host: not the production's memory (shared_buffers of a quarter of
        // the host, huge pages it may not get), nor its certificates (a key this host may not hold); it listens on
        // loopback only, and the check reads every page once and needs no cache to speak of.
        // pg_amcheck needs the amcheck extension, which only a superuser may create, and the plan's role needs no more
        // than REPLICATION: in the scratch copy alone, the Unix socket (in its data directory, which only its owner
        // can enter) trusts every role, and pg_amcheck connects there as the cluster's bootstrap superuser.
        PostgresRecovery recovery = new PostgresRecovery(repo, cluster).withSettings(SCRATCH_SETTINGS).withHbaFirst(List.of("local all all trust"));
        PostgresRecovery.Plan plan = recovery.plan(Optional.empty(), RecoveryTarget.latest());
        Path bin = dev.lifeboat.postgres.recovery.ServerBinaries.forBackup(binDir, plan.backup());
        try (ScratchDirectory scratch = ScratchDirectory.create(parent)) {
            Path data = scratch.path().resolve("data");
            int port = dev.lifeboat.core.process.Ports.freeLoopback();
            try {
                PostgresRecovery.Result r = recovery.recover(plan, data, port, user, password, Optional.of(bin), limit);
                String superuser = bootstrapSuperuser(port, user, password);
                CorruptionCheck.Outcome check = CorruptionCheck.run(bin, data, port, superuser, scratch.path().resolve("amcheck.log"), limit);
                String point = r.lastReplayedCommit().orElse("end of backup " + plan.backup().shortId() + " (" + plan.backup().manifest().ended() + ")");
                Result result = new Result(cluster, plan.backup().id(), plan.wal().size(), point, r.currentLsn(), r.reach().shortfall().orElse(""),
                        check.ok(), check.output(), check.method().name(), (System.nanoTime() - t0) / 1_000_000, Instant.now().toString());
                record(attemptName(cluster), result); // failed attempts too, so a listing can tell "failed" from "never verified"
                if (result.ok()) {
                    record(name(cluster), result);
                }
                return result;
            } finally {
                // The recovery may have failed before the data directory existed.
                if (java.nio.file.Files.exists(data.resolve("postmaster.pid"))) {
                    PostgresControl control = PostgresControl.of(data, Optional.of(bin));
                    if (control.running()) {
                        control.stop(Duration.ofSeconds(60));
                    }
                }
            }
        }
    }

    /** The role created by initdb (OID 10), which every pg_roles reader may see. */
    private static String bootstrapSuperuser(int port, String user, Optional<String> password) {
        try (java.sql.Connection c = dev.lifeboat.postgres.connect.Connections.open("jdbc:postgresql://127.0.0.1:" + port + "/postgres", user, password,
                Duration.ofSeconds(10), "lifeboat verify");
             java.sql.Statement st = c.createStatement(); java.sql.ResultSet rs = st.executeQuery("SELECT rolname FROM pg_roles WHERE oid = 10")) {
            rs.next();
            return rs.getString(1);
        } catch (java.sql.SQLException e) {
            throw new LifeboatException(dev.lifeboat.core.error.ErrorCode.PROCESS_FAILED, dev.lifeboat.core.error.ErrorCode.PROCESS_FAILED.format(
                    "reading the scratch copy's superuser on port " + port, e.getMessage()), null, e);
        }
    }

    private String name(String cluster) {
        return "verify/" + cluster;
    }

    private String attemptName(String cluster) {
        return "verify/" + cluster + ".attempt";
    }

    private void record(String object, Result r) {
        byte[] plain = Json.write(r);
        repo.store().put(object, repo.sealer().seal(ObjectKind.VERIFICATION, plain, object.getBytes(StandardCharsets.UTF_8)));
    }

    /** The last successful full verification of {@code cluster}, if any. */
    public Optional<Result> last(String cluster) {
        return read(name(cluster));
    }

    /** The last full verification of {@code cluster} that got as far as a recovered copy, passed or failed. */
    public Optional<Result> lastAttempt(String cluster) {
        return read(attemptName(cluster));
    }

    private Optional<Result> read(String object) {
        try {
            byte[] sealed = repo.store().get(object);
            return Optional.of(Json.read(repo.sealer().open(ObjectKind.VERIFICATION, sealed, object.getBytes(StandardCharsets.UTF_8)), Result.class));
        } catch (StoreException e) {
            if (e.kind() == StoreException.Kind.NOT_FOUND) {
                return Optional.empty();
            }
            throw e;
        }
    }
}
