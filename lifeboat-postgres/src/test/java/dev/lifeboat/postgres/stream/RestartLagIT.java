package dev.lifeboat.postgres.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lifeboat.postgres.backup.PostgresTarget;
import dev.lifeboat.postgres.wal.Lsn;
import dev.lifeboat.postgres.wal.WalArchive;
import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.RepositoryOptions;
import dev.lifeboat.repository.crypto.Credentials;
import dev.lifeboat.repository.crypto.KdfParams;
import dev.lifeboat.repository.store.FilesystemObjectStore;
import dev.lifeboat.repository.store.ObjectStore;
import dev.lifeboat.testkit.PostgresHarness;
import dev.lifeboat.testkit.PostgresServer;
import dev.lifeboat.testkit.Wait;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An agent that starts again after a while away streams the backlog its slot kept: until that backlog is durable the
 * recovery point is as old as the newest WAL the repository held, and the lag must say so rather than read ~0.
 */
class RestartLagIT {
    @TempDir
    Path dir;

    @Test
    void theBacklogAfterARestartCountsAsOldAsTheLastStoredWal() throws Exception {
        try (PostgresHarness pg = PostgresHarness.builder().name("rlag").start()) {
            PostgresServer primary = pg.primary();
            primary.execute("CREATE TABLE t (id bigserial PRIMARY KEY, body text)");
            FilesystemObjectStore fs = new FilesystemObjectStore(dir.resolve("repo"));
            AtomicLong walPutDelayMillis = new AtomicLong();
            // The same store, whose WAL uploads can be made slow: the catch-up then takes long enough to be read.
            ObjectStore slow = (ObjectStore) java.lang.reflect.Proxy.newProxyInstance(ObjectStore.class.getClassLoader(),
                    new Class<?>[] {ObjectStore.class}, (proxy, method, args) -> {
                        if (method.getName().startsWith("put") && args != null && args[0] instanceof String name && name.startsWith("wal/")) {
                            Thread.sleep(walPutDelayMillis.get());
                        }
                        try {
                            return method.invoke(fs, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
            Repository repo = Repository.init(slow, Optional.of(new Credentials.Passphrase("rlag".toCharArray())),
                    RepositoryOptions.defaults().withKdf(KdfParams.argon2idForTests()));
            PostgresTarget target = new PostgresTarget(primary.jdbcUrl("postgres"), "postgres", Optional.empty(), primary.dataDirectory());
            List<String> events = new CopyOnWriteArrayList<>();

            AtomicBoolean stop1 = new AtomicBoolean();
            StreamSupervisor first = new StreamSupervisor("app-db",
                    () -> new WalReceiver(target, "lifeboat_rlag", new WalArchive(repo, "app-db"), Duration.ofMillis(200), events::add), stop1, events::add);
            Thread t1 = new Thread(first, "first-agent");
            t1.start();
            Wait.until(Duration.ofSeconds(30), "streaming", first::streaming);
            primary.execute("INSERT INTO t (body) VALUES ('before the agent stops')");
            Lsn before = Lsn.parse(primary.queryOne("SELECT pg_current_wal_flush_lsn()"));
            Wait.until(Duration.ofSeconds(20), "the commit durable", () -> !first.receiver().orElseThrow().durable().isBefore(before));
            stop1.set(true);
            t1.join(20_000);

            // Away for four seconds while the server writes: the slot keeps the WAL.
            primary.execute("INSERT INTO t (body) SELECT md5(g::text) FROM generate_series(1, 2000) g");
            Thread.sleep(4000);
            walPutDelayMillis.set(3000);

            AtomicBoolean stop2 = new AtomicBoolean();
            StreamSupervisor second = new StreamSupervisor("app-db",
                    () -> new WalReceiver(target, "lifeboat_rlag", new WalArchive(repo, "app-db"), Duration.ofMillis(200), events::add), stop2, events::add);
            Thread t2 = new Thread(second, "second-agent");
            t2.start();
            try {
                Wait.until(Duration.ofSeconds(30), "streaming again", second::streaming);
                long lag = second.rpoLagMillis(System.currentTimeMillis());
                assertThat(lag).as("the backlog is at least as old as the agent was away").isGreaterThanOrEqualTo(4000);
                walPutDelayMillis.set(0);
                Lsn after = Lsn.parse(primary.queryOne("SELECT pg_current_wal_flush_lsn()"));
                Wait.until(Duration.ofSeconds(60), "the backlog durable", () -> !second.receiver().orElseThrow().durable().isBefore(after));
                Wait.until(Duration.ofSeconds(10), "the lag to settle", () -> second.rpoLagMillis(System.currentTimeMillis()) < 2000);
            } finally {
                stop2.set(true);
                t2.join(20_000);
            }
        }
    }
}
