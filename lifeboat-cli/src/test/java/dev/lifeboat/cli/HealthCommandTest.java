package dev.lifeboat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code health} exit statuses: a master that does not answer is 90, not the "bug in Lifeboat" status 1. */
class HealthCommandTest {
    @TempDir
    Path tmp;

    @Test
    void aMasterThatDoesNotAnswerExitsWithSourceUnreachable() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort(); // closed again below: nothing listens there
        }
        Path plan = Files.writeString(tmp.resolve("lifeboat.yaml"), String.join("\n",
                "version: 1",
                "name: health",
                "objectives: {rto: 1h, rpo: 15m}",
                "resources:",
                "  redis:",
                "    cache: {primary: 127.0.0.1:" + port + "}",
                ""));
        Cli.Result r = Cli.run(Map.of("LIFEBOAT_CONFIG", plan.toString()), "health", "--instance", "cache");
        assertThat(r.status()).as(r.out() + r.err()).isEqualTo(90);
        assertThat(r.out()).contains("does not answer");
    }
}
