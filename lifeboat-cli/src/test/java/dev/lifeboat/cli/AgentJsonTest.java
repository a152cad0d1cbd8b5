package dev.lifeboat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code agent --json}: the timeline as one JSON object per line on stdout, for log shippers. */
class AgentJsonTest {
    @TempDir
    Path tmp;

    @Test
    void everyTimelineLineIsAJsonObjectWithTimeAndMessage() throws Exception {
        Path plan = Files.writeString(tmp.resolve("lifeboat.yaml"), String.join("\n",
                "version: 1",
                "name: agent-json",
                "objectives: {rto: 1h, rpo: 1d}",
                "repository:",
                "  regions:",
                "    local: {store: filesystem, path: " + tmp.resolve("repo") + "}",
                "  encryption: {passphrase: {env: LIFEBOAT_PASSPHRASE}}",
                "schedules:",
                "  weekly-prune: {job: prune, cron: \"0 3 * * SUN\"}",
                ""));
        Map<String, String> env = Map.of("LIFEBOAT_PASSPHRASE", "agent json test", "LIFEBOAT_CONFIG", plan.toString());
        assertThat(Cli.run(env, "repo", "init").status()).isZero();
        Cli.Result agent = Cli.run(env, "agent", "--json", "--stop-after", "1s");
        assertThat(agent.status()).as(agent.err()).isZero();
        List<String> messages = new ArrayList<>();
        for (String line : agent.out().strip().split("\n")) {
            JsonNode event = new ObjectMapper().readTree(line);
            assertThat(event.get("time").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
            messages.add(event.get("message").asText());
        }
        assertThat(messages).anySatisfy(m -> assertThat(m).startsWith("agent started")).last().isEqualTo("agent stopped");
    }
}
