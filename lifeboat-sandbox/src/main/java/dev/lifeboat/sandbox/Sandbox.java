package dev.lifeboat.sandbox;

import dev.lifeboat.core.config.PlanLoader;
import dev.lifeboat.core.plan.Endpoint;
import dev.lifeboat.core.plan.Plan;
import dev.lifeboat.postgres.backup.BaseBackup;
import dev.lifeboat.postgres.backup.PostgresTarget;
import dev.lifeboat.postgres.stream.StreamSupervisor;
import dev.lifeboat.postgres.stream.WalReceiver;
import dev.lifeboat.postgres.wal.Lsn;
import dev.lifeboat.postgres.wal.WalArchive;
import dev.lifeboat.redis.RedisTarget;
import dev.lifeboat.redis.backup.RdbBackup;
import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.RepositoryOptions;
import dev.lifeboat.repository.Snapshot;
import dev.lifeboat.repository.crypto.Credentials;
import dev.lifeboat.repository.files.Progress;
import dev.lifeboat.repository.store.FilesystemObjectStore;
import dev.lifeboat.testkit.PostgresHarness;
import dev.lifeboat.testkit.PostgresServer;
import dev.lifeboat.testkit.RedisHarness;
import dev.lifeboat.testkit.RedisServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * A small copy of the Learning Assistant stack on this machine, protected by Lifeboat: a PostgreSQL primary with a
 * streaming replica and a Redis primary with a replica and three Sentinels, all on free loopback ports (PostgreSQL
 * as the postgres user when this JVM is root); the Learning Assistant schema with some data; an encrypted
 * repository under {@code dir/repo} (passphrase in {@code dir/passphrase}, mode 600); the plan written to
 * {@code dir/lifeboat.yaml}; WAL streamed into the repository (partial segment stored every 200 ms), a first base
 * backup and a Redis snapshot; the {@link Router} and the {@link LearningApp} in front. Everything stops on
 * {@link #close()}, or with this JVM at the latest.
 */
public final class Sandbox implements AutoCloseable {
    public static final String CLUSTER = "app-db";
    public static final String CACHE = "cache";

    private final Path dir;
    private final PostgresHarness pg;
    private final RedisHarness redis;
    private final Repository repo;
    private final Plan plan;
    private final Router router;
    private final LearningApp app;
    private final AtomicBoolean stopWal = new AtomicBoolean();
    private final AtomicReference<WalReceiver> receiver = new AtomicReference<>();
    private Thread walThread;

    private Sandbox(Path dir, PostgresHarness pg, RedisHarness redis, Repository repo, Plan plan, Router router, LearningApp app) {
        this.dir = dir;
        this.pg = pg;
        this.redis = redis;
        this.repo = repo;
        this.plan = plan;
        this.router = router;
        this.app = app;
    }

    /** Builds the stack in {@code dir} (emptied first), reporting each step to {@code step}. */
    public static Sandbox start(Path dir, Consumer<String> step) {
        PostgresHarness pg = null;
        RedisHarness redis = null;
        try {
            reset(dir);
            step.accept("starting PostgreSQL primary and streaming replica");
            pg = PostgresHarness.builder().name("pg").replicas(1).setting("wal_sender_timeout = 10s").start();
            step.accept("starting Redis primary, replica and three Sentinels");
            redis = RedisHarness.builder().name("redis").replicas(1).sentinels(3).start();
            step.accept("loading the Learning Assistant schema and data");
            Schema.load(pg.primary());
            String passphrase = Base64.getUrlEncoder().withoutPadding().encodeToString(new SecureRandom().generateSeed(24));
            Path secret = dir.resolve("passphrase");
            // Created 0600 before anything is written into it: never readable by others, not even for a moment.
            Files.deleteIfExists(secret);
            Files.createFile(secret, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(secret, passphrase);
            Path planFile = writePlan(dir, pg, redis);
            Plan plan = PlanLoader.load(planFile);
            step.accept("creating the encrypted repository " + dir.resolve("repo"));
            Repository repo = Repository.init(new FilesystemObjectStore(dir.resolve("repo")),
                    Optional.of(new Credentials.Passphrase(passphrase.toCharArray())), RepositoryOptions.defaults());
            Router router = new Router(endpoint(pg.primary()));
            Set<String> sentinels = redis.sentinels().stream().map(s -> s.host() + ":" + s.port()).collect(Collectors.toCollection(LinkedHashSet::new));
            LearningApp app = new LearningApp(router.port(), Schema.DATABASE, RedisHarness.MASTER_NAME, sentinels);
            Sandbox box = new Sandbox(dir, pg, redis, repo, plan, router, app);
            box.protect(step);
            return box;
        } catch (IOException e) {
            closeQuietly(pg, redis);
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            closeQuietly(pg, redis);
            throw e;
        }
    }

    private void protect(Consumer<String> step) {
        step.accept("streaming WAL into the repository (agent), taking the first base backup and Redis snapshot");
        PostgresTarget target = postgresTarget();
        StreamSupervisor sup = new StreamSupervisor(CLUSTER, () -> {
            WalReceiver r = new WalReceiver(target, "lifeboat_app_db", new WalArchive(repo, CLUSTER), Duration.ofMillis(200));
            receiver.set(r);
            return r;
        }, stopWal, event -> { });
        walThread = new Thread(sup, "sandbox-wal");
        walThread.setDaemon(true);
        walThread.start();
        new BaseBackup(repo, Clock.systemUTC(), 2).run(target, CLUSTER, Progress.NONE);
        snapshotRedis();
    }

    PostgresTarget postgresTarget() {
        PostgresServer p = pg.primary();
        return new PostgresTarget(p.jdbcUrl("postgres"), "postgres", Optional.empty(), p.dataDirectory());
    }

    /** A Redis snapshot taken from the replica, as the agent's schedule would. */
    public Snapshot snapshotRedis() {
        RedisServer replica = redis.replica(0);
        return new RdbBackup(repo, Clock.systemUTC()).run(RedisTarget.of(replica.host(), replica.port()), CACHE,
                Map.of("primary", redis.primary().host() + ":" + redis.primary().port()), Progress.NONE);
    }

    /** Waits until the WAL the primary has written so far is durable in the repository. */
    public void awaitWalArchived(Duration limit) {
        Lsn target = Lsn.parse(pg.primary().queryOne("SELECT pg_current_wal_lsn()"));
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            WalReceiver r = receiver.get();
            if (r != null && !r.durable().isBefore(target)) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("WAL up to " + target + " was not archived within " + limit);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    /** Stops streaming WAL (before the primary is replaced, so the archive holds one history). */
    public void stopWalStreaming() {
        stopWal.set(true);
        try {
            walThread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public Path dir() {
        return dir;
    }

    public PostgresHarness postgres() {
        return pg;
    }

    public RedisHarness redis() {
        return redis;
    }

    public Repository repository() {
        return repo;
    }

    public Plan plan() {
        return plan;
    }

    public Router router() {
        return router;
    }

    public LearningApp app() {
        return app;
    }

    static Endpoint endpoint(PostgresServer s) {
        return new Endpoint(s.host(), s.port());
    }

    /**
     * Rewrites this sandbox's plan file so that {@code primary} is the cluster's primary, with no replicas: after a
     * failover or a recovery into a new cluster the old replica follows a server that is no longer the primary (or
     * none at all). Commands run against a kept sandbox ({@code demo --keep}) then reach the server that takes
     * writes; the plan already loaded (the drill's targets) is unchanged, since only endpoints differ.
     */
    public void repointPlan(PostgresServer primary) {
        try {
            writePlan(dir, primary, Optional.empty(), redis);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path writePlan(Path dir, PostgresHarness pg, RedisHarness redis) throws IOException {
        return writePlan(dir, pg.primary(), Optional.of(pg.replica(0)), redis);
    }

    private static Path writePlan(Path dir, PostgresServer primary, Optional<PostgresServer> replica, RedisHarness redis) throws IOException {
        String template;
        try (InputStream in = Sandbox.class.getResourceAsStream("demo-plan.yaml")) {
            template = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        String text = template.replace("${PG_PRIMARY}", Integer.toString(primary.port()))
                .replace("${PG_REPLICAS}", replica.map(r -> "{replica-1: {endpoint: 127.0.0.1:" + r.port() + "}}").orElse("{}"))
                .replace("${PG_DATA}", primary.dataDirectory().toString())
                .replace("${REDIS_PRIMARY}", Integer.toString(redis.primary().port()))
                .replace("${REDIS_REPLICA}", Integer.toString(redis.replica(0).port()))
                .replace("${SENTINELS}", redis.sentinels().stream().map(s -> "127.0.0.1:" + s.port()).collect(Collectors.joining(", ")))
                .replace("${DIR}", dir.toAbsolutePath().toString());
        Path file = dir.resolve("lifeboat.yaml");
        Path temp = dir.resolve("lifeboat.yaml.tmp");
        Files.writeString(temp, text);
        Files.move(temp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return file;
    }

    private static void reset(Path dir) throws IOException {
        dev.lifeboat.core.io.Trees.deleteQuietly(dir);
        Files.createDirectories(dir);
    }

    private static void closeQuietly(PostgresHarness pg, RedisHarness redis) {
        if (redis != null) {
            redis.close();
        }
        if (pg != null) {
            pg.close();
        }
    }

    @Override
    public void close() {
        if (walThread != null) {
            stopWalStreaming();
        }
        app.close();
        router.close();
        closeQuietly(pg, redis);
    }
}
