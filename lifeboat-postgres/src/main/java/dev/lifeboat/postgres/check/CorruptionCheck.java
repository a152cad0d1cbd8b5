package dev.lifeboat.postgres.check;

import dev.lifeboat.core.error.LifeboatException;
import dev.lifeboat.core.process.ExternalCommand;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Looks for corruption in a running scratch copy with the amcheck extension, connecting over the copy's own Unix
 * socket as its bootstrap superuser: {@code pg_amcheck} where the server binaries have it (PostgreSQL 14 and newer:
 * every heap page and every B-tree index), otherwise {@code psql} calling {@code bt_index_check(index, true)} on
 * each B-tree index of each database (PostgreSQL 12 and 13: the indexes, and that every heap tuple they should hold
 * is indexed; the heap itself has no checker before 14). Installs the extension in the copy only.
 */
public final class CorruptionCheck {
    /** Which checker ran. */
    public enum Method {
        PG_AMCHECK("pg_amcheck", "pg_amcheck"),
        BT_INDEX_CHECK("bt_index_check", "amcheck's bt_index_check (these binaries have no pg_amcheck: B-tree indexes and whether they hold "
                + "every heap tuple, not the heap pages themselves)");

        private final String tool;
        private final String description;

        Method(String tool, String description) {
            this.tool = tool;
            this.description = description;
        }

        /** The checker's name, to prefix its output with. */
        public String tool() {
            return tool;
        }

        /** What it checks, as one phrase for a report. */
        public String description() {
            return description;
        }
    }

    /**
     * What the check found.
     *
     * @param ok     whether it ran to the end and found no corruption
     * @param output what the checker said when it did not pass (at most 64 KiB)
     */
    public record Outcome(Method method, boolean ok, String output) {
    }

    /**
     * Checks every database of the server listening on {@code socketDir}/{@code port}, writing the checker's output
     * to {@code log}; never throws for what the checker reports, only returns it.
     */
    public static Outcome run(Path bin, Path socketDir, int port, String superuser, Path log, Duration limit) {
        Path amcheck = bin.resolve("pg_amcheck");
        if (Files.isExecutable(amcheck)) {
            return attempt(Method.PG_AMCHECK, log, () -> ExternalCommand.run(List.of(amcheck.toString(), "-h", socketDir.toAbsolutePath().toString(),
                    "-p", Integer.toString(port), "-U", superuser, "--all", "--install-missing", "--heapallindexed", "--no-strict-names"), log, limit));
        }
        Path psql = bin.resolve("psql");
        if (!Files.isExecutable(psql)) {
            return new Outcome(Method.BT_INDEX_CHECK, false, "neither " + amcheck + " nor " + psql + " is there to check the restored copy with");
        }
        Path script = log.resolveSibling("bt_index_check.sql");
        try {
            Files.writeString(script, BT_INDEX_CHECK);
        } catch (IOException e) {
            return new Outcome(Method.BT_INDEX_CHECK, false, "cannot write " + script + ": " + e.getMessage());
        }
        Outcome outcome = attempt(Method.BT_INDEX_CHECK, log, () -> {
            List<String> connect = List.of(psql.toString(), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", socketDir.toAbsolutePath().toString(),
                    "-p", Integer.toString(port), "-U", superuser);
            List<String> databases = new ArrayList<>(connect);
            databases.addAll(List.of("-At", "-d", "postgres", "-c", "SELECT datname FROM pg_database WHERE datallowconn ORDER BY datname"));
            Path list = log.resolveSibling("databases.txt");
            try {
                Files.deleteIfExists(list); // the command appends: this run's list only
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            ExternalCommand.run(databases, list, limit);
            for (String db : read(list).orElse("").lines().filter(l -> !l.isBlank()).toList()) {
                List<String> check = new ArrayList<>(connect);
                check.addAll(List.of("-f", script.toString()));
                // The name goes through the environment, taken literally: as -d it could be read as a connection string.
                ExternalCommand.run(check, log, limit, Map.of("PGDATABASE", db));
            }
            return "";
        });
        if (!outcome.ok()) {
            return outcome;
        }
        // Each damaged index was named in a warning (the checks go on past it): any such line fails the check.
        List<String> damaged = read(log).orElse("").lines().filter(l -> l.contains(DAMAGED)).map(l -> l.substring(l.indexOf(DAMAGED))).toList();
        if (damaged.isEmpty()) {
            return outcome;
        }
        return new Outcome(Method.BT_INDEX_CHECK, false, "amcheck found " + damaged.size() + " damaged B-tree index(es):\n" + String.join("\n", damaged));
    }

    /** How a damaged index is named in the checker's output. */
    static final String DAMAGED = "lifeboat-damaged-index: ";

    /**
     * The psql script run in each database: the extension brought up to date (one left at 1.0 by pg_upgrade has no
     * heapallindexed), then one statement, so one transaction and its locks, per valid B-tree index (relkind 'i':
     * a partitioned table's index has no storage to check), each catching its own failure and naming the index in
     * a warning, so that every damaged index is named and one does not stop the rest. The function is called in the
     * extension's own schema, wherever that is.
     */
    static final String BT_INDEX_CHECK = """
            SET client_min_messages = warning;
            CREATE EXTENSION IF NOT EXISTS amcheck;
            ALTER EXTENSION amcheck UPDATE;
            SELECT format('DO $lifeboat$ BEGIN PERFORM %I.bt_index_check(%s::oid::regclass, true); '
                   || 'EXCEPTION WHEN OTHERS THEN RAISE WARNING ''%s database %%, index %%: %%'', current_database(), %L, SQLERRM; END $lifeboat$',
                   x.nspname, c.oid, 'lifeboat-damaged-index:', n.nspname || '.' || c.relname)
              FROM pg_index i
              JOIN pg_class c ON c.oid = i.indexrelid
              JOIN pg_namespace n ON n.oid = c.relnamespace
              JOIN pg_am am ON am.oid = c.relam
              CROSS JOIN (SELECT e.nspname FROM pg_extension ext JOIN pg_namespace e ON e.oid = ext.extnamespace WHERE ext.extname = 'amcheck') x
             WHERE am.amname = 'btree' AND c.relkind = 'i' AND c.relpersistence <> 't' AND i.indisready AND i.indisvalid
             ORDER BY n.nspname, c.relname
            \\gexec
            """;

    private interface Check {
        String run();
    }

    private static Outcome attempt(Method method, Path log, Check check) {
        try {
            check.run();
            return new Outcome(method, true, "");
        } catch (LifeboatException e) {
            // The caller's scratch directory (and this log) goes away: keep what the checker said.
            return new Outcome(method, false, read(log).orElse(e.getMessage()));
        }
    }

    private static Optional<String> read(Path log) {
        try (InputStream in = Files.newInputStream(log)) {
            String text = new String(in.readNBytes(64 * 1024), StandardCharsets.UTF_8).strip();
            return text.isEmpty() ? Optional.empty() : Optional.of(text);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private CorruptionCheck() {
    }
}
