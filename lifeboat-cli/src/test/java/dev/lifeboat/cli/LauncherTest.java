package dev.lifeboat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The launcher's own failures: as restore_command, {@code wal fetch} must never exit 1 (PostgreSQL would end
 * recovery early and promote), whatever fails in the script before Lifeboat starts; other commands exit 60.
 */
class LauncherTest {
    private static final Path LAUNCHER = Path.of("").toAbsolutePath().getParent().resolve("lifeboat");

    private static int run(List<String> args, StringBuilder err) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("bash", LAUNCHER.toString()));
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("LIFEBOAT_JAVA", "/bin/false"); // a JVM that fails its version probe
        Process p = pb.start();
        err.append(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        return p.waitFor();
    }

    @Test
    void aJvmThatFailsItsProbeStopsRecoveryInsteadOfEndingIt() throws Exception {
        StringBuilder out = new StringBuilder();
        assertThat(run(List.of("wal", "fetch", "000000010000000000000001", "/tmp/x"), out)).as(out.toString()).isEqualTo(126);
        assertThat(out).contains("Lifeboat needs Java 17 or newer");
        StringBuilder other = new StringBuilder();
        assertThat(run(List.of("status"), other)).as(other.toString()).isEqualTo(60);
    }

    @Test
    void aMistypedRestoreCommandStopsRecoveryEvenWithoutTheLauncher() {
        // java -jar lifeboat.jar wal fetch %f %p, without --cluster: a usage error, which as exit 2 PostgreSQL would take
        // for "no such file" and end recovery early.
        Cli.Result r = Cli.run(java.util.Map.of(), "wal", "fetch", "000000010000000000000001", "/tmp/x");
        assertThat(r.status()).as(r.err()).isEqualTo(126);
        assertThat(r.err()).contains("--cluster");
        assertThat(Cli.run(java.util.Map.of(), "status", "--no-such-option").status()).isEqualTo(2);
    }
}
