package dev.lifeboat.testkit;

import dev.lifeboat.core.process.OsUser;
import dev.lifeboat.core.process.ExternalCommand;
import dev.lifeboat.core.process.Binaries;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Starts real PostgreSQL clusters for tests: a primary with data checksums and, if asked, streaming replicas each on
 * its own physical replication slot. Everything listens on free 127.0.0.1 ports, lives in a temporary directory, and
 * is stopped by PID on {@link #close()} (or, at the latest, when the JVM exits).
 *
 * <pre>{@code
 * try (PostgresHarness pg = PostgresHarness.builder().replicas(1).start()) {
 *     pg.primary().execute("CREATE TABLE t (id int)");
 * }
 * }</pre>
 */
public final class PostgresHarness implements AutoCloseable {
    private static final Duration REPLICA_LIMIT = Duration.ofSeconds(60);

    private final Path home;
    private final PostgresServer primary;
    private final List<PostgresServer> replicas;
    private final List<PostgresServer> extra = new ArrayList<>();

    private PostgresHarness(Path home, PostgresServer primary, List<PostgresServer> replicas) {
        this.home = home;
        this.primary = primary;
        this.replicas = replicas;
    }

    public static Builder builder() {
        return new Builder();
    }

    public PostgresServer primary() {
        return primary;
    }

    public PostgresServer replica(int i) {
        return replicas.get(i);
    }

    public List<PostgresServer> replicas() {
        return Collections.unmodifiableList(replicas);
    }

    /** The directory holding every server's home; removed on close. */
    public Path home() {
        return home;
    }

    /**
     * A home for a server whose data directory a test fills itself (a restore): an empty directory owned by the
     * server user, inside this harness's home. Put the data directory at {@code home/data}, then
     * {@link #serverAt(Path, String)} and start it.
     */
    public Path newServerHome(String name) {
        return OsUser.ownedDirectory(home.resolve(name), OsUser.POSTGRES);
    }

    /**
     * A server for a data directory at {@code serverHome/data} (restored by the test), on a free port; it is
     * stopped with the harness. Call {@link PostgresServer#start()} to start it.
     */
    public PostgresServer serverAt(Path serverHome, String name) {
        PostgresServer s = new PostgresServer(name, serverHome, Binaries.postgresBin(), FreePort.pick());
        s.configure("port = " + s.port(), "unix_socket_directories = '" + s.dataDirectory() + "'", "cluster_name = '" + name + "'");
        extra.add(s);
        return s;
    }

    /**
     * Takes charge of a server already running from {@code serverHome/data} on {@code port} (started by a recovery),
     * so that it is stopped with the harness and, at the latest, with the JVM.
     */
    public PostgresServer adopt(Path serverHome, String name, int port) {
        PostgresServer s = new PostgresServer(name, serverHome, Binaries.postgresBin(), port);
        s.adoptRunning();
        extra.add(s);
        return s;
    }

    /** Waits until {@code replica} has replayed everything the primary has written so far. */
    public void awaitReplay(PostgresServer replica) {
        String target = primary.queryOne("SELECT pg_current_wal_lsn()");
        Wait.until(Duration.ofSeconds(30), replica + " to replay up to " + target,
                () -> replica.queryOne("SELECT pg_last_wal_replay_lsn() >= '" + target + "'::pg_lsn").equals("t"));
    }

    @Override
    public void close() {
        RuntimeException first = null;
        List<PostgresServer> all = new ArrayList<>(extra);
        all.addAll(replicas);
        all.add(primary);
        for (PostgresServer s : all) {
            try {
                s.stop();
            } catch (RuntimeException e) {
                first = first == null ? e : first;
            }
        }
        Reaper.deleteTree(home);
        if (first != null) {
            throw first;
        }
    }

    /** How to build the clusters. */
    public static final class Builder {
        private int replicas;
        private final List<String> settings = new ArrayList<>();
        private final List<String> initdbOptions = new ArrayList<>();
        private String name = "pg";

        /** An extra initdb option for the primary, e.g. {@code "--wal-segsize=1"} (replicas copy the primary). */
        public Builder initdbOption(String option) {
            initdbOptions.add(option);
            return this;
        }

        /** Number of streaming replicas, each on its own slot. */
        public Builder replicas(int n) {
            this.replicas = n;
            return this;
        }

        /** An extra postgresql.conf line for every server, e.g. {@code "archive_mode = on"}. */
        public Builder setting(String line) {
            settings.add(line);
            return this;
        }

        /** A prefix for directory and server names. */
        public Builder name(String name) {
            this.name = name;
            return this;
        }

        public PostgresHarness start() {
            Path bin = Binaries.postgresBin();
            Path home = Reaper.runDirectory().resolve(name + "-" + Long.toHexString(System.nanoTime()));
            home.toFile().mkdirs();
            home.toFile().setExecutable(true, false);
            home.toFile().setReadable(true, false);
            PostgresServer primary = null;
            List<PostgresServer> started = new ArrayList<>();
            try {
                primary = initPrimary(bin, home);
                for (int i = 1; i <= replicas; i++) {
                    started.add(startReplica(bin, home, primary, name + "-replica-" + i, "replica_" + i));
                }
                return new PostgresHarness(home, primary, started);
            } catch (RuntimeException e) {
                started.forEach(PostgresServer::crash);
                if (primary != null) {
                    primary.crash();
                }
                throw e;
            }
        }

        private PostgresServer initPrimary(Path bin, Path home) {
            String serverName = name + "-primary";
            Path serverHome = OsUser.ownedDirectory(home.resolve(serverName), OsUser.POSTGRES);
            PostgresServer s = new PostgresServer(serverName, serverHome, bin, FreePort.pick());
            List<String> initdb = new ArrayList<>(List.of(bin.resolve("initdb").toString(), "-D",
                    s.dataDirectory().toString(), "-U", "postgres", "--auth=trust", "--data-checksums",
                    "--encoding=UTF8", "--locale=C", "--no-instructions"));
            initdb.addAll(initdbOptions);
            ExternalCommand.run(OsUser.as(OsUser.POSTGRES, initdb),
                    serverHome.resolve("commands.log"), Duration.ofSeconds(120));
            List<String> conf = new ArrayList<>(List.of(
                    "# lifeboat test harness",
                    "listen_addresses = '127.0.0.1'",
                    "port = " + s.port(),
                    "unix_socket_directories = '" + s.dataDirectory() + "'",
                    "wal_level = replica",
                    "max_wal_senders = 10",
                    "max_replication_slots = 10",
                    "hot_standby = on",
                    "hot_standby_feedback = on",
                    "shared_buffers = 32MB",
                    "max_connections = 40",
                    // Only a process crash is simulated here, never an OS crash: the page cache survives it.
                    "fsync = off",
                    "cluster_name = '" + serverName + "'"));
            conf.addAll(settings);
            s.configure(conf.toArray(String[]::new));
            s.start();
            return s;
        }

        private PostgresServer startReplica(Path bin, Path home, PostgresServer primary, String serverName, String slot) {
            primary.execute("SELECT pg_create_physical_replication_slot('" + slot + "')");
            Path serverHome = OsUser.ownedDirectory(home.resolve(serverName), OsUser.POSTGRES);
            PostgresServer r = new PostgresServer(serverName, serverHome, bin, FreePort.pick());
            ExternalCommand.run(OsUser.as(OsUser.POSTGRES, List.of(bin.resolve("pg_basebackup").toString(),
                            "-h", primary.host(), "-p", Integer.toString(primary.port()), "-U", "postgres",
                            "-D", r.dataDirectory().toString(), "-X", "stream", "-S", slot, "-R", "-c", "fast", "--no-sync")),
                    serverHome.resolve("commands.log"), Duration.ofSeconds(120));
            r.configure("port = " + r.port(), "unix_socket_directories = '" + r.dataDirectory() + "'",
                    "cluster_name = '" + serverName + "'");
            r.start();
            Wait.until(REPLICA_LIMIT, serverName + " to stream from " + primary, () -> primary.queryOne(
                    "SELECT count(*) FROM pg_stat_replication WHERE application_name = '" + serverName
                            + "' AND state = 'streaming'").equals("1"));
            return r;
        }
    }
}
