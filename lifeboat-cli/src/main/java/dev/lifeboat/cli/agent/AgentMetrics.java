package dev.lifeboat.cli.agent;

import dev.lifeboat.postgres.stream.StreamSupervisor;
import dev.lifeboat.postgres.stream.WalReceiver;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * The agent's metrics in the Prometheus text format, written to a file (node_exporter's textfile collector reads
 * such files; anything else can too) and replaced atomically, so a reader never sees half a file. The timestamp
 * metric lets an alert tell a stale file (agent gone) from a healthy one.
 */
final class AgentMetrics {
    private AgentMetrics() {
    }

    static String render(List<StreamSupervisor> supervisors, long nowMillis) {
        StringBuilder b = new StringBuilder();
        gauge(b, "lifeboat_agent_metrics_timestamp_seconds", "When the agent last wrote these metrics (Unix time).");
        b.append("lifeboat_agent_metrics_timestamp_seconds ").append(String.format("%.3f", nowMillis / 1000.0)).append('\n');
        if (supervisors.isEmpty()) {
            return b.toString();
        }
        gauge(b, "lifeboat_wal_rpo_lag_seconds", "Age of the oldest WAL received from the cluster and not yet durable in the repository "
                + "(0: everything received is stored); while streaming is down, the time since it stopped plus the lag then.");
        supervisors.forEach(s -> line(b, "lifeboat_wal_rpo_lag_seconds", s.cluster(), String.format("%.3f", s.rpoLagMillis(nowMillis) / 1000.0)));
        gauge(b, "lifeboat_wal_streaming", "1 while the agent streams the cluster's WAL, 0 while it retries.");
        supervisors.forEach(s -> line(b, "lifeboat_wal_streaming", s.cluster(), s.streaming() ? "1" : "0"));
        gauge(b, "lifeboat_wal_received_lsn", "End of the WAL received from the cluster, as a byte position.");
        supervisors.forEach(s -> s.receiver().filter(WalReceiver::started).ifPresent(r -> line(b, "lifeboat_wal_received_lsn", s.cluster(), Long.toUnsignedString(r.received().value()))));
        gauge(b, "lifeboat_wal_durable_lsn", "End of the WAL durable in the repository, as a byte position.");
        supervisors.forEach(s -> s.receiver().filter(WalReceiver::started).ifPresent(r -> line(b, "lifeboat_wal_durable_lsn", s.cluster(), Long.toUnsignedString(r.durable().value()))));
        return b.toString();
    }

    /** Replaces {@code file} with {@code text}: written beside it, then renamed over it. */
    static void write(Path file, String text) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, text);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static void gauge(StringBuilder b, String name, String help) {
        b.append("# HELP ").append(name).append(' ').append(help).append('\n');
        b.append("# TYPE ").append(name).append(" gauge\n");
    }

    private static void line(StringBuilder b, String name, String cluster, String value) {
        String label = cluster.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
        b.append(name).append("{cluster=\"").append(label).append("\"} ").append(value).append('\n');
    }
}
