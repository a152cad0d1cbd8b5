package dev.lifeboat.postgres.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.lifeboat.core.error.LifeboatException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The connected server must be the one running from the data directory the backup copies. */
class LocalServerTest {
    @TempDir
    Path data;

    private void pidFile(long start, int port) throws Exception {
        Files.writeString(data.resolve("postmaster.pid"), String.join("\n", "4242", data.toString(), Long.toString(start), Integer.toString(port),
                "/var/run/postgresql", "*", "  5432001  32768", "ready   ", ""));
    }

    @Test
    void theSameServerPasses() throws Exception {
        pidFile(1_764_000_000L, 5432);
        assertThatCode(() -> LocalServer.check(data, 1_764_000_000L, 5432)).doesNotThrowAnyException();
    }

    @Test
    void aServerWhoseStartUpTookSecondsIsTheSame() throws Exception {
        // postmaster.pid is written early in start-up; pg_postmaster_start_time() at its end.
        pidFile(1_764_000_000L, 5432);
        assertThatCode(() -> LocalServer.check(data, 1_764_000_042L, 5432)).doesNotThrowAnyException();
    }

    @Test
    void anotherServerOnTheSamePathIsRefused() throws Exception {
        // The standby's host, the same path as the primary's, but the connection went to the primary.
        pidFile(1_764_000_000L, 5432);
        LifeboatException e = catchThrowableOfType(LifeboatException.class, () -> LocalServer.check(data, 1_763_990_000L, 5432));
        assertThat(e.getMessage()).contains("is not the one running from " + data);
        assertThat(catchThrowableOfType(LifeboatException.class, () -> LocalServer.check(data, 1_764_000_000L, 5433))).isNotNull();
    }

    @Test
    void noServerRunningFromTheDirectoryIsRefused() {
        assertThat(catchThrowableOfType(LifeboatException.class, () -> LocalServer.check(data, 1_764_000_000L, 5432)).getMessage())
                .contains("no server runs from");
    }
}
