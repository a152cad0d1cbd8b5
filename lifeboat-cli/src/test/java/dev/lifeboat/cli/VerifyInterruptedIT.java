package dev.lifeboat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lifeboat.testkit.PostgresHarness;
import dev.lifeboat.testkit.PostgresServer;
import dev.lifeboat.testkit.Wait;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code verify --full} killed with SIGKILL while its scratch PostgreSQL runs leaves that server and a copy of the
 * database in the temporary directory; the next full verification stops the server, deletes the copy, says so, and
 * verifies as usual.
 */
class VerifyInterruptedIT {
    @TempDir
    Path tmp;

    @Test
    void theNextFullVerificationStopsAndRemovesWhatAKilledOneLeft() throws Exception {
        try (PostgresHarness pg = PostgresHarness.builder().name("vi").start()) {
            PostgresServer primary = pg.primary();
            primary.execute("CREATE TABLE progress (id bigint PRIMARY KEY, body text)",
                    "INSERT INTO progress SELECT g, repeat(md5(g::text), 20) FROM generate_series(1, 20000) g");
            Map<String, String> env = AgentFixture.planWithWal(tmp, primary, "vi");
            Process agent = AgentFixture.startAgent(env, tmp.resolve("agent.log"));
            // The scratch server runs as postgres, who must reach the temporary directory, as it does /tmp.
            Path scratchParent = Files.createDirectory(tmp.resolve("t"));
            Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
            Files.setPosixFilePermissions(scratchParent, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
            List<String> jvm = List.of("-Djava.io.tmpdir=" + scratchParent);
            long orphanPostmaster = -1;
            try {
                AgentFixture.awaitSlotActive(primary);
                Cli.Result backup = Cli.run(env, "backup", "postgres", "--cluster", "app-db");
                assertThat(backup.status()).as(backup.err()).isZero();

                Process first = AgentFixture.startLifeboat(env, tmp.resolve("verify-1.log"), jvm, List.of("verify", "--full", "--only", "postgres"));
                Path[] pidFile = new Path[1];
                Wait.until(Duration.ofSeconds(120), "the scratch PostgreSQL of the first verification", () -> {
                    pidFile[0] = scratchPidFile(scratchParent).orElse(null);
                    return pidFile[0] != null || !first.isAlive();
                });
                assertThat(first.isAlive()).as("the first verification is still running: " + Files.readString(tmp.resolve("verify-1.log"))).isTrue();
                first.destroyForcibly();
                assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
                orphanPostmaster = Long.parseLong(Files.readAllLines(pidFile[0]).get(0).trim());
                Path orphanDir = pidFile[0].getParent().getParent();
                assertThat(ProcessHandle.of(orphanPostmaster).map(ProcessHandle::isAlive)).as("the scratch server outlives the killed JVM").contains(true);

                Process second = AgentFixture.startLifeboat(env, tmp.resolve("verify-2.log"), jvm, List.of("verify", "--full", "--only", "postgres"));
                if (!second.waitFor(180, TimeUnit.SECONDS)) {
                    second.destroyForcibly();
                    throw new AssertionError("the second verification did not finish in 180 s: " + Files.readString(tmp.resolve("verify-2.log")));
                }
                String out = Files.readString(tmp.resolve("verify-2.log"));
                assertThat(second.exitValue()).as(out).isZero();
                assertThat(out).contains("removed the scratch directory " + orphanDir + " of an interrupted verification (no process holds its lock) "
                        + "after stopping the PostgreSQL still running in it", "pg_amcheck found no corruption");
                assertThat(orphanDir).doesNotExist();
                long stopped = orphanPostmaster;
                Wait.until(Duration.ofSeconds(10), "the orphaned scratch server to be gone",
                        () -> ProcessHandle.of(stopped).map(h -> !h.isAlive()).orElse(true));
                try (Stream<Path> left = Files.list(scratchParent.resolve("lifeboat-scratch-" + System.getProperty("user.name")))) {
                    assertThat(left).as("scratch directories left").isEmpty();
                }
            } finally {
                if (orphanPostmaster > 0) {
                    ProcessHandle.of(orphanPostmaster).ifPresent(ProcessHandle::destroyForcibly); // the server our killed JVM started
                }
                agent.destroy();
                agent.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    /** The postmaster.pid of a scratch cluster under {@code parent}, once its server runs. */
    private static Optional<Path> scratchPidFile(Path tmpdir) {
        Path parent = tmpdir.resolve("lifeboat-scratch-" + System.getProperty("user.name"));
        if (!Files.isDirectory(parent)) {
            return Optional.empty();
        }
        try (Stream<Path> dirs = Files.list(parent)) {
            return dirs.filter(d -> d.getFileName().toString().startsWith("verify-")).map(d -> d.resolve("data/postmaster.pid"))
                    .filter(Files::exists).findFirst();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
