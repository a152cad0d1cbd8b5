package dev.lifeboat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's main command, checked as a new user would: every scenario runs and reports its numbers against the
 * targets, the JSON carries the measurements, report.html renders in a real headless browser with its chart, the
 * demo runs twice in a row, and nothing it started is left running.
 */
class DemoIT {
    @TempDir
    Path tmp;

    @Test
    void allScenariosRunMeasureAndCleanUpAndTheReportRendersInABrowser() throws Exception {
        Path dir = tmp.resolve("lifeboat-demo");
        long t0 = System.nanoTime();
        Cli.Result all = Cli.run(Map.of(), "demo", "--dir", dir.toString(), "--json");
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0);
        assertThat(all.status()).as(all.err()).isZero();
        assertThat(seconds).as("all scenarios in under 3 minutes").isLessThan(180);
        JsonNode report = all.json();
        assertThat(report.get("scenarios")).hasSize(3);
        for (JsonNode s : report.get("scenarios")) {
            assertThat(s.get("rto_seconds").asDouble()).as(s.get("scenario").asText()).isPositive();
            assertThat(s.has("rpo_seconds")).isTrue();
            assertThat(s.get("lost_acknowledged_writes").isNumber()).isTrue();
            assertThat(s.get("acknowledged_writes").asLong()).isGreaterThan(40);
            assertThat(s.get("validated").asBoolean()).as(s.get("validation").toString()).isTrue();
            assertThat(s.get("passed").asBoolean()).isTrue();
            assertThat(s.get("phases").findValuesAsText("phase")).contains("detect", "re-route");
        }
        JsonNode corruption = report.get("scenarios").get(0);
        assertThat(corruption.get("scenario").asText()).isEqualTo("data-corruption");
        assertThat(corruption.get("phases").findValuesAsText("phase")).contains("restore", "replay", "validate");
        assertThat(corruption.get("validation").toString()).contains("5000 of 5000 seed rows back", "(must be 0)");
        assertThat(report.get("scenarios").get(2).get("phases").findValuesAsText("phase")).contains("warm");
        assertThat(all.err()).contains("== data-corruption", "fault: DELETE", "== primary-failure", "== cache-failure");
        assertNothingLeftRunning();
        // Each sandbox's plan names the server that took over, so commands against a kept sandbox reach it.
        JsonNode failover = report.get("scenarios").get(1);
        String reRoute = failover.get("phases").findValues("note").stream().map(JsonNode::asText).filter(n -> n.startsWith("the router sends"))
                .findFirst().orElseThrow();
        int promoted = Integer.parseInt(reRoute.replaceAll(".*127\\.0\\.0\\.1:(\\d+).*", "$1"));
        var afterFailover = dev.lifeboat.core.config.PlanLoader.load(dir.resolve("primary-failure/lifeboat.yaml")).resources().postgres().get("app-db");
        assertThat(afterFailover.primary().port()).isEqualTo(promoted);
        assertThat(afterFailover.replicas()).isEmpty();
        String replay = corruption.get("phases").findValues("note").stream().map(JsonNode::asText).filter(n -> n.contains("promoted on port"))
                .findFirst().orElseThrow();
        int recovered = Integer.parseInt(replay.replaceAll(".*promoted on port (\\d+).*", "$1"));
        var afterRecovery = dev.lifeboat.core.config.PlanLoader.load(dir.resolve("data-corruption/lifeboat.yaml")).resources().postgres().get("app-db");
        assertThat(afterRecovery.primary().port()).isEqualTo(recovered);
        assertThat(afterRecovery.dataDir()).hasValueSatisfying(d -> assertThat(d).endsWith("/recovered/data"));

        Path html = dir.resolve("report.html");
        assertThat(html).exists();
        assertThat(Files.readString(html)).doesNotContain("<script", "http://", "https://");
        String dom = browser(html, "--dump-dom");
        assertThat(dom).contains("id=\"chart-data-corruption\"", "id=\"chart-primary-failure\"", "id=\"chart-cache-failure\"", "class=\"bar\"");
        Path shot = tmp.resolve("report.png");
        browser(html, "--screenshot=" + shot, "--window-size=1100,900");
        assertThat(Files.size(shot)).as("a rendered page, not a blank one").isGreaterThan(20_000);

        Cli.Result again = Cli.run(Map.of(), "demo", "--dir", dir.toString(), "--scenario", "data-corruption", "--json");
        assertThat(again.status()).as("a second run in the same directory: " + again.err()).isZero();
        JsonNode one = again.json();
        assertThat(one.get("scenario").asText()).isEqualTo("data-corruption");
        assertThat(one.get("validated").asBoolean()).isTrue();
        assertThat(one.has("rto_seconds") && one.has("rpo_seconds") && one.has("lost_acknowledged_writes")).isTrue();
        assertNothingLeftRunning();
    }

    @Test
    void ctrlCStopsEverythingTheDemoStarted() throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Path jar = Path.of("target", "lifeboat.jar").toAbsolutePath();
        Path log = tmp.resolve("demo.log");
        Process demo = new ProcessBuilder(java, "-jar", jar.toString(), "demo", "--scenario", "cache-failure", "--dir", tmp.resolve("d").toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            dev.lifeboat.testkit.Wait.until(Duration.ofSeconds(90), "the demo's workload to start", () -> {
                try {
                    return Files.readString(log).contains("workload:");
                } catch (java.io.IOException e) {
                    return false;
                }
            });
            List<Long> servers = descendantsAndHarnessServers(demo.pid());
            assertThat(servers).as("the sandbox's servers are running").isNotEmpty();
            new ProcessBuilder("kill", "-INT", Long.toString(demo.pid())).start().waitFor();
            assertThat(demo.waitFor(60, TimeUnit.SECONDS)).as("the demo exits on Ctrl-C").isTrue();
            dev.lifeboat.testkit.Wait.until(Duration.ofSeconds(15), "every server of the demo to be gone",
                    () -> servers.stream().noneMatch(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)));
        } finally {
            demo.destroyForcibly();
        }
    }

    /** PIDs of processes working inside the harness run directory of the JVM with {@code pid}. */
    private static List<Long> descendantsAndHarnessServers(long pid) {
        return ProcessHandle.allProcesses().filter(p -> {
            try {
                return Files.readSymbolicLink(Path.of("/proc", Long.toString(p.pid()), "cwd")).toString()
                        .startsWith(System.getProperty("java.io.tmpdir") + "/lifeboat-harness/run-" + pid + "-");
            } catch (Exception e) {
                return false;
            }
        }).map(ProcessHandle::pid).toList();
    }

    /** No PostgreSQL or Redis process runs from a harness directory of this JVM. */
    private static void assertNothingLeftRunning() {
        Path run = dev.lifeboat.testkit.Reaper.runDirectory();
        List<Long> left = ProcessHandle.allProcesses().filter(p -> {
            try {
                return Files.readSymbolicLink(Path.of("/proc", Long.toString(p.pid()), "cwd")).startsWith(run);
            } catch (Exception e) {
                return false;
            }
        }).map(ProcessHandle::pid).toList();
        assertThat(left).as("processes left running in " + run).isEmpty();
    }

    private String browser(Path html, String... args) throws Exception {
        Path profile = Files.createTempDirectory(tmp, "chromium-");
        List<String> cmd = new java.util.ArrayList<>(List.of("chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile));
        cmd.addAll(List.of(args));
        cmd.add(html.toUri().toString());
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(Duration.ofSeconds(60).toSeconds(), TimeUnit.SECONDS)).isTrue();
        return out;
    }
}
