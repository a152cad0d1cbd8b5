package dev.lifeboat.postgres.check;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lifeboat.testkit.PostgresHarness;
import dev.lifeboat.testkit.PostgresServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Both checkers against a real server: a sound cluster passes, and one whose table's heap was replaced by another
 * table's (page checksums still valid, so only amcheck can tell) fails, naming the index that no longer matches.
 */
class CorruptionCheckIT {
    @TempDir
    Path dir;

    @Test
    void bothCheckersPassASoundClusterAndNameTheIndexThatNoLongerMatchesItsHeap() throws Exception {
        try (PostgresHarness pg = PostgresHarness.builder().start()) {
            PostgresServer server = pg.primary();
            server.execute("CREATE DATABASE \"learning app\"");
            try (var c = server.connect("learning app"); var st = c.createStatement()) {
                st.execute("CREATE TABLE progress (id int PRIMARY KEY, learner text)");
                st.execute("CREATE TABLE shadow (id int PRIMARY KEY, learner text)");
                st.execute("INSERT INTO progress SELECT g, 'learner-' || g FROM generate_series(1, 2000) g");
                // The same row count and widths, other keys: the same number of pages, each with a valid checksum.
                st.execute("INSERT INTO shadow SELECT g + 100000, 'learner-' || g FROM generate_series(1, 2000) g");
                // A partitioned table's own index has no storage: a checker that took it for damage would fail every such cluster.
                st.execute("CREATE TABLE events (id int, at date, PRIMARY KEY (id, at)) PARTITION BY RANGE (at)");
                st.execute("CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')");
                st.execute("INSERT INTO events SELECT g, date '2026-01-01' + g % 300 FROM generate_series(1, 1000) g");
            }
            Path withoutPgAmcheck = server.binWithout(dir.resolve("bin-without-pg_amcheck"), "pg_amcheck");

            for (Path bin : new Path[] {server.bin(), withoutPgAmcheck}) {
                CorruptionCheck.Outcome sound = CorruptionCheck.run(bin, server.dataDirectory(), server.port(), "postgres", dir.resolve("sound.log"),
                        Duration.ofMinutes(2));
                assertThat(sound.ok()).as(sound.output()).isTrue();
            }
            assertThat(CorruptionCheck.run(server.bin(), server.dataDirectory(), server.port(), "postgres", dir.resolve("a.log"), Duration.ofMinutes(2))
                    .method()).isEqualTo(CorruptionCheck.Method.PG_AMCHECK);

            String progress;
            String shadow;
            try (var c = server.connect("learning app"); var st = c.createStatement()) {
                progress = path(st, "progress");
                shadow = path(st, "shadow");
            }
            server.stop();
            // Written into the existing file, which keeps its owner (the server's user): a copy would be root's and unreadable.
            Files.write(server.dataDirectory().resolve(progress), Files.readAllBytes(server.dataDirectory().resolve(shadow)),
                    java.nio.file.StandardOpenOption.TRUNCATE_EXISTING, java.nio.file.StandardOpenOption.WRITE);
            server.start();

            CorruptionCheck.Outcome found = CorruptionCheck.run(server.bin(), server.dataDirectory(), server.port(), "postgres", dir.resolve("pg.log"),
                    Duration.ofMinutes(2));
            assertThat(found.ok()).isFalse();
            assertThat(found.method()).isEqualTo(CorruptionCheck.Method.PG_AMCHECK);
            assertThat(found.output()).contains("progress_pkey", "lacks matching index tuple");

            CorruptionCheck.Outcome sql = CorruptionCheck.run(withoutPgAmcheck, server.dataDirectory(), server.port(), "postgres", dir.resolve("sql.log"),
                    Duration.ofMinutes(2));
            assertThat(sql.ok()).isFalse();
            assertThat(sql.method()).isEqualTo(CorruptionCheck.Method.BT_INDEX_CHECK);
            assertThat(sql.output()).contains("database learning app, index public.progress_pkey", "lacks matching index tuple",
                            "amcheck found 1 damaged B-tree index(es)")
                    .doesNotContain("shadow_pkey").doesNotContain("events");
        }
    }

    private static String path(java.sql.Statement st, String table) throws java.sql.SQLException {
        try (var rs = st.executeQuery("SELECT pg_relation_filepath('" + table + "')")) {
            rs.next();
            return rs.getString(1);
        }
    }
}
