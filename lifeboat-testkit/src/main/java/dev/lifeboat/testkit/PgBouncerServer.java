package dev.lifeboat.testkit;

import dev.lifeboat.core.error.ErrorCode;
import dev.lifeboat.core.error.LifeboatException;
import dev.lifeboat.core.process.Binaries;
import dev.lifeboat.core.process.OsUser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A real PgBouncer (Debian package {@code pgbouncer}) for tests: session pooling on a free 127.0.0.1 port, trust
 * authentication for user {@code postgres} (also its admin console), run as user postgres when the JVM is root
 * (PgBouncer refuses root), stopped by PID with what it started. Its {@link #ini()} is the file a re-point command
 * edits; the test then asks PgBouncer where a pooled connection really lands.
 */
public final class PgBouncerServer implements AutoCloseable {
    private final Path home;
    private final int port;
    private Process process;

    private PgBouncerServer(Path home, int port) {
        this.home = home;
        this.port = port;
    }

    /** Starts PgBouncer with {@code databases}: name → connection settings ({@code host=… port=… dbname=… user=…}). */
    public static PgBouncerServer start(Map<String, String> databases) {
        Path binary = Files.isExecutable(Path.of("/usr/sbin/pgbouncer")) ? Path.of("/usr/sbin/pgbouncer")
                : Binaries.onPath("pgbouncer").orElseThrow(() -> new LifeboatException(ErrorCode.BINARY_NOT_FOUND,
                        ErrorCode.BINARY_NOT_FOUND.format("pgbouncer", "/usr/sbin or PATH"), "Install it: apt-get install -y pgbouncer"));
        Path home = OsUser.ownedDirectory(Reaper.runDirectory().resolve("pgbouncer-" + Long.toHexString(System.nanoTime())), OsUser.POSTGRES);
        PgBouncerServer s = new PgBouncerServer(home, FreePort.pick());
        List<String> ini = new ArrayList<>(List.of("[databases]"));
        databases.forEach((name, settings) -> ini.add(name + " = " + settings));
        ini.addAll(List.of("", "[pgbouncer]",
                "listen_addr = 127.0.0.1",
                "listen_port = " + s.port,
                "unix_socket_dir =",
                "auth_type = trust",
                "auth_file = " + home.resolve("users.txt"),
                "admin_users = postgres",
                "pool_mode = session",
                "server_login_retry = 1",
                "logfile = " + home.resolve("pgbouncer.log"),
                "pidfile = " + home.resolve("pgbouncer.pid"),
                ""));
        try {
            Files.writeString(home.resolve("users.txt"), "\"postgres\" \"\"\n");
            Files.write(s.ini(), ini);
            s.process = new ProcessBuilder(OsUser.as(OsUser.POSTGRES, List.of(binary.toString(), s.ini().toString())))
                    .directory(home.toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(home.resolve("stdout.log").toFile())).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start pgbouncer in " + home, e);
        }
        Reaper.track(s.process.pid());
        Wait.forPort(s.process, s.port, home.resolve("stdout.log"), "PgBouncer", Duration.ofSeconds(30));
        return s;
    }

    /** The configuration file, {@code [databases]} first. */
    public Path ini() {
        return home.resolve("pgbouncer.ini");
    }

    public int port() {
        return port;
    }

    /** A libpq connection string for the admin console (RELOAD, SHOW DATABASES). */
    public String adminConninfo() {
        return "host=127.0.0.1 port=" + port + " user=postgres dbname=pgbouncer";
    }

    /** A JDBC URL for a pooled database; the pooler prefers the simple protocol, so no server-side prepares. */
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database + "?user=postgres&prepareThreshold=0&connectTimeout=5";
    }

    @Override
    public void close() {
        if (process != null) {
            Reaper.stop(process.pid());
        }
        Reaper.deleteTree(home);
    }
}
