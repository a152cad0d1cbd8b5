package dev.lifeboat.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class OrphanSweepIT {
    @Test
    void serversOfAJvmKilledWithoutShutdownHooksAreStoppedByTheNextHarness() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), OrphanFixture.class.getName())
                .redirectErrorStream(true).start();
        long redisPid;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            StringBuilder seen = new StringBuilder();
            do {
                line = out.readLine();
                seen.append(line).append('\n');
            } while (line != null && !line.startsWith("ready "));
            assertThat(line).as("the fixture JVM started a Redis server; it printed:\n%s", seen).isNotNull();
            redisPid = Long.parseLong(line.substring("ready ".length()).trim());
            // SIGKILL: the fixture's shutdown hook never runs, so its Redis server is orphaned.
            child.destroyForcibly();
            assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(ProcessHandle.of(redisPid).map(ProcessHandle::isAlive).orElse(false)).as("orphaned redis is still running").isTrue();

        Reaper.sweepOrphans();

        assertThat(ProcessHandle.of(redisPid).map(ProcessHandle::isAlive).orElse(false)).as("orphaned redis was stopped").isFalse();
    }
}
