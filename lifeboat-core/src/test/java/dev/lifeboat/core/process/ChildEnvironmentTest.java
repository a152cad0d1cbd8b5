package dev.lifeboat.core.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Lifeboat's secrets stay out of the programs it starts; what they need passes. */
class ChildEnvironmentTest {
    @TempDir
    Path tmp;

    @Test
    void secretsAreRemovedAndTheRestKept() {
        Map<String, String> env = new HashMap<>(Map.of("LIFEBOAT_PASSPHRASE", "s3cret", "AWS_SECRET_ACCESS_KEY", "k", "AZURE_STORAGE_KEY", "k",
                "GOOGLE_APPLICATION_CREDENTIALS", "/k.json", "PGPASSWORD", "pw", "REDISCLI_AUTH", "pw", "PATH", "/usr/bin", "LANG", "C.UTF-8",
                "PGDATABASE", "app", "HOME", "/root"));
        assertThat(ChildEnvironment.scrub(env)).containsOnlyKeys("PATH", "LANG", "PGDATABASE", "HOME");
    }

    @Test
    void anExternalCommandGetsTheVariablesPassedToItButNoneOfTheParentsSecrets() throws Exception {
        assertThat(System.getenv("LIFEBOAT_PASSPHRASE")).as("set for this test in the module's surefire configuration").isNotNull();
        Path log = tmp.resolve("env.log");
        String out = ExternalCommand.run(List.of("/usr/bin/env"), log, Duration.ofSeconds(10), Map.of("PGDATABASE", "app"));
        assertThat(out).contains("PGDATABASE=app", "LC_ALL=C").doesNotContain("not-for-children");
        assertThat(out.lines().map(l -> l.substring(0, l.indexOf('=') + 1))).noneMatch(n -> ChildEnvironment.secret(n.replace("=", "")));
        assertThat(Files.readString(log)).isEqualTo(out);
    }
}
