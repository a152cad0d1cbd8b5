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
        return render(supervisors, java.util.Map.of(), nowMillis);
    }

    /** With {@code upstreams}, per cluster streamed from a standby, the standby's own lag is part of the RPO lag. */
    static String render(List<StreamSupervisor> supervisors, java.util.Map<String, UpstreamWatch> upstreams, long nowMillis) {
        StringBuilder b = new StringBuilder();
        gauge(b, "lifeboat_agent_metrics_timestamp_seconds", "When the agent last wrote these metrics (Unix time).");
        b.append("lifeboat_agent_metrics_timestamp_seconds ").append(String.format(java.util.Locale.ROOT, "%.3f", nowMillis / 1000.0)).append('\n');
        if (supervisors.isEmpty()) {
            return b.toString();
        }
        gauge(b, "lifeboat_wal_rpo_lag_seconds", "Age of the oldest WAL received from the cluster and not yet durable in the repository "
                + "(0: everything received is stored); while streaming is down, the time since it stopped plus the lag then; "
                + "streaming from a standby, plus the standby's own lag behind the primary.");
        supervisors.forEach(s -> {
            java.time.Duration own = java.time.Duration.ofMillis(s.rpoLagMillis(nowMillis));
            java.time.Duration lag = upstreams.containsKey(s.cluster()) ? upstreams.get(s.cluster()).rpoLag(own) : own;
            line(b, "lifeboat_wal_rpo_lag_seconds", s.cluster(), seconds(lag));
        });
        if (!upstreams.isEmpty()) {
            gauge(b, "lifeboat_wal_upstream_lag_seconds", "Streaming from a standby: how much of the RPO lag is the standby's own, behind the "
                    + "primary (its flush_lag while it receives; while it receives nothing, how long it has been silent). Absent while the "
                    + "standby cannot be read.");
            supervisors.forEach(s -> java.util.Optional.ofNullable(upstreams.get(s.cluster())).filter(u -> u.latest().isPresent())
                    .ifPresent(u -> line(b, "lifeboat_wal_upstream_lag_seconds", s.cluster(), seconds(u.rpoLag(java.time.Duration.ZERO)))));
            gauge(b, "lifeboat_wal_upstream_receiving", "Streaming from a standby: 1 while the standby receives WAL from the primary, 0 while it does not.");
            supervisors.forEach(s -> java.util.Optional.ofNullable(upstreams.get(s.cluster())).flatMap(UpstreamWatch::latest)
                    .ifPresent(u -> line(b, "lifeboat_wal_upstream_receiving", s.cluster(), u.receiving() ? "1" : "0")));
        }
        gauge(b, "lifeboat_wal_streaming", "1 while the agent streams the cluster's WAL, 0 while it retries.");
        supervisors.forEach(s -> line(b, "lifeboat_wal_streaming", s.cluster(), s.streaming() ? "1" : "0"));
        gauge(b, "lifeboat_wal_received_lsn", "End of the WAL received from the cluster, as a byte position.");
        supervisors.forEach(s -> s.receiver().filter(WalReceiver::started).ifPresent(r -> line(b, "lifeboat_wal_received_lsn", s.cluster(), Long.toUnsignedString(r.received().value()))));
        gauge(b, "lifeboat_wal_durable_lsn", "End of the WAL durable in the repository, as a byte position.");
        supervisors.forEach(s -> s.receiver().filter(WalReceiver::started).ifPresent(r -> line(b, "lifeboat_wal_durable_lsn", s.cluster(), Long.toUnsignedString(r.durable().value()))));
        return b.toString();
    }

    private static String seconds(java.time.Duration d) {
        return String.format(java.util.Locale.ROOT, "%.3f", d.toMillis() / 1000.0);
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
