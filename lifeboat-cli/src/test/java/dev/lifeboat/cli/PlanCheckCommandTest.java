package dev.lifeboat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PlanCheckCommandTest {
    static final Path EXAMPLE = Path.of("..", "examples", "learning-assistant", "lifeboat.yaml");

    @TempDir
    Path tmp;



    @Test
    void exampleListsEveryComponentAndDataClassWithAVerdict() {
        Cli.Result r = Cli.run("plan", "check", "--config", EXAMPLE.toString());
        assertThat(r.status()).as(r.err()).isEqualTo(3); // the seed's own session-data gap, and what this build cannot run
        for (String title : new String[] {"User Authentication", "Learning Content API", "Progress Tracking",
                "Analytics Dashboard", "Notification System", "Admin Portal", "User Profiles", "Learning Progress",
                "Content Data", "Session Data", "Analytics Data", "Audit Logs"}) {
            assertThat(r.out()).containsPattern("(?m)^" + title + " .*(met|NOT met)");
        }
        assertThat(r.out()).contains("✓ Learning Progress: target 15m (component progress-tracking) → met",
                "WAL streamed continuously (max lag 5m)", "5 met, 7 NOT met",
                "'content-mirror' (mirror) does not run: this build of Lifeboat cannot mirror buckets yet");
        assertThat(r.err()).isEmpty();
    }

    @Test
    void jsonHoldsTheSameVerdicts() throws Exception {
        Cli.Result r = Cli.run("plan", "check", "--config", EXAMPLE.toString(), "--json");
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertThat(json.get("components")).hasSize(6);
        assertThat(json.get("data_classes")).hasSize(6);
        assertThat(json.get("gaps").asInt()).isEqualTo(7);
        JsonNode content = java.util.stream.StreamSupport.stream(json.get("protections").spliterator(), false)
                .filter(p -> p.get("resource").asText().equals("content-files")).findFirst().orElseThrow();
        assertThat(content.get("not_run").get(0).asText()).startsWith("'content-mirror' (mirror) does not run");
        JsonNode sessions = json.get("data_classes").get(3);
        assertThat(sessions.get("title").asText()).isEqualTo("Session Data");
        assertThat(sessions.get("verdict").asText()).isEqualTo("not-met");
        assertThat(sessions.get("rpo_target_seconds").asLong()).isEqualTo(300);
        assertThat(sessions.get("rpo_worst_case_seconds").asLong()).isEqualTo(900);
        assertThat(json.get("data_classes").get(1).get("verdict").asText()).isEqualTo("met");
    }

    @Test
    void feasibilityGapNamesTheClassTheTargetWhatIsDeliveredAndWhy() throws Exception {
        Path plan = tmp.resolve("lifeboat.yaml");
        Files.writeString(plan, Files.readString(EXAMPLE)
                .replace("    backup-frequency: hourly\n", "    backup-frequency: 4h\n")
                .replace("      database: analytics\n", "      database: analytics\n      data-dir: /var/lib/postgresql/15/analytics\n")
                .replace("    resources: [analytics-db]\n    cron: \"0 * * * *\"", "    resources: [analytics-db]\n    cron: \"0 */4 * * *\""));
        Cli.Result r = Cli.run("plan", "check", "--config", plan.toString());
        assertThat(r.status()).isEqualTo(3);
        assertThat(r.out()).contains("✗ Analytics Data: target 1h (component analytics-dashboard) → NOT met",
                "target 1h (component analytics-dashboard), but 'analytics-db' can lose up to 4h");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "misspelled key|    rpo: 30m\\n|    rpoo: 30m\\n|5|error[LB022 unknown-key]: unknown key 'rpoo' in components.notification-system|Did you mean 'rpo'?",
            "negative duration|  rpo: 15m|  rpo: -15m|8|error[LB025 bad-duration]: objectives.rpo: '-15m' is negative|positive number",
            "invalid cron|cron: \"0 2 * * *\"|cron: \"0 2 * * 8\"|11|error[LB026 bad-cron]: schedules.postgres-full.cron: day-of-week value 8 is out of range 0-7|5-field cron",
            "undefined resource|depends-on: [analytics-db]|depends-on: [analytics-dbx]|18|error[LB028 undefined-reference]: components.analytics-dashboard.depends-on[0] refers to resource 'analytics-dbx'|Did you mean 'analytics-db'?"})
    void brokenPlanFailsWithPositionCodeAndHint(String name, String from, String to, int column, String error, String hint) throws Exception {
        Path plan = tmp.resolve("lifeboat.yaml");
        String text = Files.readString(EXAMPLE);
        String broken = text.replaceFirst(java.util.regex.Pattern.quote(from.replace("\\n", "\n")),
                java.util.regex.Matcher.quoteReplacement(to.replace("\\n", "\n")));
        assertThat(broken).as("the test changed the plan").isNotEqualTo(text);
        Files.writeString(plan, broken);
        // The line is wherever the change landed; the column is where the offending token starts.
        String changedLine = to.replace("\\n", "\n").strip();
        int line = java.util.Arrays.asList(broken.split("\n", -1)).indexOf(
                java.util.Arrays.stream(broken.split("\n", -1)).filter(l -> l.contains(changedLine)).findFirst().orElseThrow()) + 1;
        String position = ":" + line + ":" + column;
        Cli.Result r = Cli.run("plan", "check", "--config", plan.toString());
        assertThat(r.status()).isEqualTo(20);
        assertThat(r.err()).contains(plan + position + ": " + error);
        assertThat(r.err()).contains("hint: ").contains(hint);
        assertThat(r.err()).contains("[LB020 plan-invalid, exit 20]");
        assertThat(r.err()).doesNotContain("Exception").doesNotContain("\tat ");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void invalidPlanAsJsonListsEveryProblem() throws Exception {
        Path plan = tmp.resolve("bad.yaml");
        Files.writeString(plan, "version: 1\nname: x\nobjectives: {rto: 4h, rpo: 0s}\ncomponentz: {}\n");
        Cli.Result r = Cli.run("plan", "check", "--config", plan.toString(), "--json");
        assertThat(r.status()).isEqualTo(20);
        JsonNode error = new ObjectMapper().readTree(r.out()).get("error");
        assertThat(error.get("name").asText()).isEqualTo("plan-invalid");
        assertThat(error.get("problems")).hasSize(2);
        assertThat(error.get("problems").get(0).get("line").asInt()).isEqualTo(3);
        assertThat(error.get("problems").get(1).get("name").asText()).isEqualTo("unknown-key");
        assertThat(error.get("problems").get(1).get("hint").asText()).isEqualTo("Did you mean 'components'?");
    }

    @Test
    void missingPlanFileExitsTen() {
        Cli.Result r = Cli.run("plan", "check", "--config", tmp.resolve("nope.yaml").toString());
        assertThat(r.status()).isEqualTo(10);
        assertThat(r.err()).contains("error[LB010 config-not-found]: no plan file at", "hint: Pass --config FILE");
    }

    @Test
    void badUsageExitsTwoWithAHint() {
        Cli.Result r = Cli.run("plan", "check", "--bogus");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).contains("LB002 usage", "Unknown option: '--bogus'", "lifeboat plan check --help");
        assertThat(Cli.run().status()).isEqualTo(2);
        assertThat(Cli.run("plan").status()).isEqualTo(2);
    }

    @Test
    void helpTeaches() {
        Cli.Result r = Cli.run("plan", "check", "--help");
        assertThat(r.status()).isZero();
        assertThat(r.out()).contains("--config", "--json", "Exit status", "unmeasured");
    }
}
