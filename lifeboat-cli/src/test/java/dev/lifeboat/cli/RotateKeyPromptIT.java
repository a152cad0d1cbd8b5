package dev.lifeboat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code repo rotate-key} at a terminal, keeping the current passphrase: it is asked for once. A second prompt, taken
 * unchecked, made a mistyped answer the repository's only passphrase and deleted the old key objects. Runs the
 * packaged jar under {@code script}, which gives it a pseudo-terminal, so Console.readPassword reads what is typed.
 */
class RotateKeyPromptIT {
    @TempDir
    Path tmp;

    @Test
    void theTypedPassphraseIsAskedOnceAndStillOpensTheRepositoryAfterTheRotation() throws Exception {
        Path repo = tmp.resolve("repo");
        Path pass = Files.writeString(tmp.resolve("pass"), "right horse battery");
        assertThat(Cli.run(Map.of(), "repo", "init", "--repo", repo.toString(), "--passphrase-file", pass.toString()).status()).isZero();

        Path jar = Path.of("target", "lifeboat.jar").toAbsolutePath();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String command = java + " -jar " + jar + " repo rotate-key --repo " + repo;
        ProcessBuilder pb = new ProcessBuilder(List.of("script", "-qec", command, "/dev/null"));
        Map<String, String> env = pb.environment();
        env.remove("LIFEBOAT_PASSPHRASE");
        env.remove("LIFEBOAT_CONFIG");
        pb.directory(tmp.toFile()).redirectErrorStream(true);
        Process p = pb.start();
        // The right passphrase, then a typo a second prompt would have taken as the passphrase to keep.
        p.getOutputStream().write("right horse battery\nwrong horse battery\n".getBytes());
        p.getOutputStream().flush();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String said = new String(p.getInputStream().readAllBytes());
        assertThat(p.exitValue()).as(said).isZero();
        assertThat(said).contains("Rotated keys").containsOnlyOnce("passphrase:");

        Map<String, String> right = new HashMap<>(Map.of("LIFEBOAT_PASSPHRASE", "right horse battery"));
        Cli.Result info = Cli.run(right, "snapshots", "list", "--repo", repo.toString());
        assertThat(info.status()).as("the passphrase typed once still opens it: " + info.err()).isZero();
        Cli.Result typo = Cli.run(Map.of("LIFEBOAT_PASSPHRASE", "wrong horse battery"), "snapshots", "list", "--repo", repo.toString());
        assertThat(typo.status()).isEqualTo(72);
    }
}
