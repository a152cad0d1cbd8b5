package dev.lifeboat.core.process;

import dev.lifeboat.core.error.ErrorCode;
import dev.lifeboat.core.error.LifeboatException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** Finds the local server binaries the harnesses start, and says exactly where it looked when it cannot. */
public final class Binaries {
    /** Environment variable naming the PostgreSQL server bin directory. */
    public static final String PG_BIN_ENV = "LIFEBOAT_PG_BIN";
    /** Environment variable naming the redis-server binary. */
    public static final String REDIS_ENV = "LIFEBOAT_REDIS_SERVER";
    private static final List<String> PG_TOOLS = List.of("initdb", "pg_ctl", "postgres", "pg_basebackup");

    private Binaries() {
    }

    /**
     * An executable on PATH, as found: links are not resolved, because some binaries (redis-server) are links to a
     * multi-call program that acts on the name it was started by.
     */
    public static Optional<Path> onPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(":")) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, name);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /**
     * The directory holding PostgreSQL's server binaries: {@code $LIFEBOAT_PG_BIN} (or system property
     * {@code lifeboat.pg.bin}), else the directory of {@code pg_ctl} on PATH, else the newest
     * {@code /usr/lib/postgresql/N/bin}.
     */
    public static Path postgresBin() {
        return postgresBin(System.getProperty("lifeboat.pg.bin", System.getenv(PG_BIN_ENV)), Path.of("/usr/lib/postgresql"), true);
    }

    /**
     * As {@link #postgresBin()}, for a cluster of PostgreSQL {@code major}: unless configured,
     * {@code /usr/lib/postgresql/MAJOR/bin} (Debian) and {@code /usr/pgsql-MAJOR/bin} (PGDG RPMs) come first, so a host
     * with several versions (an upgrade in progress) runs the one the data directory needs.
     */
    public static Path postgresBin(int major) {
        return postgresBin(major, System.getProperty("lifeboat.pg.bin", System.getenv(PG_BIN_ENV)), Path.of("/usr/lib/postgresql"), true);
    }

    static Path postgresBin(int major, String configured, Path lib, boolean searchPath) {
        if (configured == null || configured.isBlank()) {
            // Debian's layout, then the PGDG RPMs' (/usr/pgsql-15/bin).
            for (Path versioned : List.of(lib.resolve(Integer.toString(major)).resolve("bin"),
                    lib.getParent() == null ? lib : lib.getParent().resolve("pgsql-" + major).resolve("bin"))) {
                if (hasPgTools(versioned)) {
                    return versioned;
                }
            }
        }
        return postgresBin(configured, lib, searchPath);
    }

    /**
     * The major version of the server binaries in {@code bin}, from {@code postgres --version} ("postgres (PostgreSQL)
     * 15.18 (Debian 15.18-1)" is 15).
     *
     * @throws LifeboatException {@code binary-not-found} when it cannot be run or its answer read
     */
    public static int serverMajor(Path bin) {
        Path postgres = bin.resolve("postgres");
        try {
            Path log = java.nio.file.Files.createTempFile("lifeboat-postgres-version", ".txt");
            String out;
            try {
                Process p = new ProcessBuilder(postgres.toString(), "--version").redirectErrorStream(true).redirectOutput(log.toFile()).start();
                if (!p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new LifeboatException(ErrorCode.BINARY_NOT_FOUND, postgres + " --version did not answer within 10 s",
                            "Point LIFEBOAT_PG_BIN or the plan's bin-dir at PostgreSQL's server binaries.");
                }
                out = java.nio.file.Files.readString(log, java.nio.charset.StandardCharsets.ISO_8859_1).trim();
                if (p.exitValue() != 0) {
                    throw new LifeboatException(ErrorCode.BINARY_NOT_FOUND, postgres + " --version failed (exit status " + p.exitValue() + "): " + out,
                            "Point LIFEBOAT_PG_BIN or the plan's bin-dir at PostgreSQL's server binaries.");
                }
            } finally {
                java.nio.file.Files.deleteIfExists(log);
            }
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\(PostgreSQL\\) (\\d+)").matcher(out);
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
            throw new LifeboatException(ErrorCode.BINARY_NOT_FOUND, postgres + " --version said '" + out + "', not a PostgreSQL version",
                    "Point LIFEBOAT_PG_BIN or the plan's bin-dir at PostgreSQL's server binaries.");
        } catch (java.io.IOException e) {
            throw new LifeboatException(ErrorCode.BINARY_NOT_FOUND, "cannot run " + postgres + ": " + e.getMessage(),
                    "Point LIFEBOAT_PG_BIN or the plan's bin-dir at PostgreSQL's server binaries.", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LifeboatException(ErrorCode.INTERRUPTED, "interrupted", null, e);
        }
    }

    public static Path postgresBin(String configured, Path lib, boolean searchPath) {
        List<String> looked = new ArrayList<>();
        if (configured != null && !configured.isBlank()) {
            looked.add(configured + " ($" + PG_BIN_ENV + ")");
            if (hasPgTools(Path.of(configured))) {
                return Path.of(configured);
            }
        }
        // pg_ctl on PATH is often a link (Debian's /usr/bin wrappers, /usr/local/bin): its real directory holds the rest.
        Optional<Path> pgCtl = (searchPath ? onPath("pg_ctl") : Optional.<Path>empty()).map(Binaries::real);
        if (pgCtl.isPresent()) {
            looked.add(pgCtl.get().getParent() + " (pg_ctl on PATH)");
            if (hasPgTools(pgCtl.get().getParent())) {
                return pgCtl.get().getParent();
            }
        } else if (searchPath) {
            looked.add("PATH");
        }
        looked.add(lib + "/*/bin");
        if (Files.isDirectory(lib)) {
            List<Path> candidates = new ArrayList<>();
            try (DirectoryStream<Path> versions = Files.newDirectoryStream(lib)) {
                versions.forEach(v -> candidates.add(v.resolve("bin")));
            } catch (IOException e) {
                // fall through to the error below
            }
            candidates.sort(Comparator.comparing(Binaries::majorVersion).reversed());
            for (Path c : candidates) {
                if (hasPgTools(c)) {
                    return c;
                }
            }
        }
        throw new LifeboatException(ErrorCode.BINARY_NOT_FOUND,
                ErrorCode.BINARY_NOT_FOUND.format("PostgreSQL server binaries (" + String.join(", ", PG_TOOLS) + ")",
                        String.join("; ", looked)),
                "Install them (on Debian: apt-get install -y postgresql) or set " + PG_BIN_ENV + " to their directory.");
    }

    /** The redis-server binary: {@code $LIFEBOAT_REDIS_SERVER}, else PATH, else /usr/bin. */
    public static Path redisServer() {
        List<String> looked = new ArrayList<>();
        String configured = System.getenv(REDIS_ENV);
        if (configured != null && !configured.isBlank()) {
            looked.add(configured + " ($" + REDIS_ENV + ")");
            if (Files.isExecutable(Path.of(configured))) {
                return Path.of(configured);
            }
        }
        looked.add("PATH");
        Optional<Path> found = onPath("redis-server");
        if (found.isPresent()) {
            return found.get();
        }
        looked.add("/usr/bin/redis-server");
        if (Files.isExecutable(Path.of("/usr/bin/redis-server"))) {
            return Path.of("/usr/bin/redis-server");
        }
        throw new LifeboatException(ErrorCode.BINARY_NOT_FOUND,
                ErrorCode.BINARY_NOT_FOUND.format("redis-server", String.join("; ", looked)),
                "Install it (on Debian: apt-get install -y redis-server) or set " + REDIS_ENV + " to its path.");
    }

    private static Path real(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            return p;
        }
    }

    private static boolean hasPgTools(Path dir) {
        return PG_TOOLS.stream().allMatch(t -> Files.isExecutable(dir.resolve(t)));
    }

    private static int majorVersion(Path bin) {
        try {
            return Integer.parseInt(bin.getParent().getFileName().toString());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
