package dev.lifeboat.testkit;

import dev.lifeboat.core.process.OsUser;
import dev.lifeboat.core.process.ExternalCommand;

import dev.lifeboat.core.error.ErrorCode;
import dev.lifeboat.core.error.LifeboatException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One real PostgreSQL server started by the harness: a primary or a streaming replica, listening on 127.0.0.1,
 * running as user {@code postgres} when the JVM is root, with its own data directory and log.
 */
public final class PostgresServer implements AutoCloseable {
    private static final Duration START_LIMIT = Duration.ofSeconds(90);

    private final String name;
    private final Path home;
    private final Path bin;
    private int port;
    private long pid = -1;
    /** Options passed to postgres at start (pg_ctl -o), if any. */
    private String options;

    PostgresServer(String name, Path home, Path bin, int port) {
        this.name = name;
        this.home = home;
        this.bin = bin;
        this.port = port;
    }

    public String name() {
        return name;
    }

    public String host() {
        return "127.0.0.1";
    }

    public int port() {
        return port;
    }

    /** The data directory (owned by user postgres when the JVM is root). */
    public Path dataDirectory() {
        return home.resolve("data");
    }

    /** The server's own log (pg_ctl -l). */
    public Path log() {
        return home.resolve("server.log");
    }

    /** The postmaster's PID while running, else -1. */
    public long pid() {
        return pid;
    }

    public Path bin() {
        return bin;
    }

    /**
     * A directory {@code dir} of links to every tool of {@link #bin()} but {@code left}: the same server binaries as
     * an older package has them (PostgreSQL 12 and 13 have no pg_amcheck).
     */
    public Path binWithout(Path dir, String... left) throws java.io.IOException {
        java.nio.file.Files.createDirectories(dir);
        try (var tools = java.nio.file.Files.list(bin())) {
            for (Path tool : tools.toList()) {
                if (!List.of(left).contains(tool.getFileName().toString())) {
                    java.nio.file.Files.createSymbolicLink(dir.resolve(tool.getFileName()), tool);
                }
            }
        }
        return dir;
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://" + host() + ":" + port + "/" + database;
    }

    /** A new connection as superuser {@code postgres} to database {@code postgres}. */
    public Connection connect() throws SQLException {
        return connect("postgres");
    }

    public Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(database), "postgres", "");
    }

    /** Runs statements on database {@code postgres}. */
    public void execute(String... sql) {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            for (String q : sql) {
                s.execute(q);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(name + ": " + e.getMessage(), e);
        }
    }

    /** The first column of every row, as text. */
    public List<String> query(String sql) {
        try (Connection c = connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            List<String> out = new ArrayList<>();
            while (rs.next()) {
                out.add(rs.getString(1));
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException(name + ": " + e.getMessage(), e);
        }
    }

    /** The first column of the first row, as text. */
    public String queryOne(String sql) {
        List<String> rows = query(sql);
        if (rows.isEmpty()) {
            throw new IllegalStateException(name + ": no row from " + sql);
        }
        return rows.get(0);
    }

    public boolean isRunning() {
        return pid > 0 && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    public boolean isInRecovery() {
        return queryOne("SELECT pg_is_in_recovery()").equals("t");
    }

    /** Appends settings to postgresql.conf; later lines win. Takes effect at the next start or reload. */
    public void configure(String... lines) {
        try {
            Files.writeString(dataDirectory().resolve("postgresql.conf"), "\n" + String.join("\n", lines) + "\n",
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Starts the server with {@code options} passed to postgres from now on (pg_ctl -o), e.g.
     * {@code -c config_file=/etc/...} for a configuration kept outside the data directory, as Debian does.
     */
    public void startWith(String options) {
        this.options = options;
        start();
    }

    /** Starts the server and waits until it accepts connections. */
    public void start() {
        if (isRunning()) {
            return;
        }
        for (int attempt = 1; ; attempt++) {
            try {
                List<String> cmd = new ArrayList<>(List.of(bin.resolve("pg_ctl").toString(), "-D",
                        dataDirectory().toString(), "-l", log().toString(), "-w", "-t", Long.toString(START_LIMIT.toSeconds())));
                if (options != null) {
                    cmd.addAll(List.of("-o", options));
                }
                cmd.add("start");
                ExternalCommand.run(OsUser.as(OsUser.POSTGRES, cmd), home.resolve("commands.log"), START_LIMIT.plusSeconds(10));
                break;
            } catch (LifeboatException e) {
                // Lost the race for the port to another process: take another one.
                if (attempt < 3 && ExternalCommand.tail(log()).contains("could not bind")) {
                    port = FreePort.pick();
                    configure("port = " + port);
                    continue;
                }
                throw new LifeboatException(ErrorCode.PROCESS_FAILED, e.getMessage() + "\nserver log " + log()
                        + ExternalCommand.tail(log()), null, e);
            }
        }
        try {
            pid = Long.parseLong(Files.readAllLines(dataDirectory().resolve("postmaster.pid")).get(0).trim());
        } catch (IOException | RuntimeException e) {
            throw new LifeboatException(ErrorCode.PROCESS_FAILED, ErrorCode.PROCESS_FAILED.format("pg_ctl start",
                    "no postmaster.pid in " + dataDirectory()), null, e);
        }
        Reaper.track(pid);
    }

    /** Records the PID of a postmaster already running from this server's data directory. */
    void adoptRunning() {
        try {
            pid = Long.parseLong(Files.readAllLines(dataDirectory().resolve("postmaster.pid")).get(0).trim());
        } catch (IOException | RuntimeException e) {
            throw new LifeboatException(ErrorCode.PROCESS_FAILED, ErrorCode.PROCESS_FAILED.format("adopting " + name,
                    "no postmaster.pid in " + dataDirectory()), null, e);
        }
        Reaper.track(pid);
    }

    /** Stops the server cleanly (fast shutdown), or kills it if that does not work. */
    public void stop() {
        if (!isRunning()) {
            return;
        }
        try {
            ExternalCommand.run(OsUser.as(OsUser.POSTGRES, List.of(bin.resolve("pg_ctl").toString(), "-D",
                    dataDirectory().toString(), "-m", "fast", "-w", "-t", "30", "stop")), home.resolve("commands.log"), Duration.ofSeconds(40));
        } catch (LifeboatException e) {
            // fall through to the kill below
        }
        Reaper.stop(pid);
        pid = -1;
    }

    /** Kills the postmaster and its children with SIGKILL, as a crash would. */
    public void crash() {
        if (pid > 0) {
            Reaper.stop(pid);
            pid = -1;
        }
    }

    @Override
    public void close() {
        stop();
    }

    @Override
    public String toString() {
        return name + "@" + host() + ":" + port;
    }
}
