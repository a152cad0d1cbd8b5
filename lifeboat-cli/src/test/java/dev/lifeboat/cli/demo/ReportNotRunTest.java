package dev.lifeboat.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lifeboat.drill.Report;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A demo scenario that could not run fails the report and is named in every form of it, escaped in the HTML. */
class ReportNotRunTest {
    @TempDir
    Path dir;

    @Test
    void aScenarioThatCouldNotRunFailsTheReportAndIsNamedInEveryForm() throws Exception {
        Report report = new Report(List.of(), Map.of("cache-failure", "[port-in-use] <port 6379> taken"), Instant.parse("2026-11-24T00:00:00Z"), dir);
        assertThat(report.passed()).isFalse();
        assertThat(report.table()).contains("cache-failure", "NOT RUN: [port-in-use] <port 6379> taken");
        assertThat(report.json()).containsEntry("passed", false);
        assertThat(report.json().get("not_run")).isEqualTo(Map.of("cache-failure", "[port-in-use] <port 6379> taken"));
        report.write();
        assertThat(Files.readString(report.htmlFile())).contains("could not run: [port-in-use] &lt;port 6379&gt; taken").doesNotContain("<port 6379>");
    }
}
