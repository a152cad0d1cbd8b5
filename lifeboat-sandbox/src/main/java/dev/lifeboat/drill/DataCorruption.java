package dev.lifeboat.drill;

import dev.lifeboat.postgres.recovery.PostgresRecovery;
import dev.lifeboat.postgres.recovery.RecoveryTarget;
import dev.lifeboat.sandbox.Ledger;
import dev.lifeboat.sandbox.Sandbox;
import dev.lifeboat.testkit.PostgresServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The seed's "data corruption": a destructive statement deletes half of the learners' progress events at a known
 * moment. Lifeboat notices the loss, puts the application in maintenance (no more writes on bad data), recovers the
 * cluster from the repository to just before the statement (base backup plus streamed WAL), checks that every row
 * from before the target is back and nothing written after it is, and re-points the application. Acknowledged
 * writes after the target are the price of point-in-time recovery, and are counted as lost.
 */
public final class DataCorruption implements Scenario {
    static final int SEED_ROWS = 5000;

    private PostgresServer recovered;

    @Override
    public String name() {
        return "data-corruption";
    }

    @Override
    public String description() {
        return "a destructive DELETE at a known moment; point-in-time recovery to just before it; validation against the ledger";
    }

    @Override
    public String resource() {
        return Sandbox.CLUSTER;
    }

    @Override
    public String writeKind() {
        return "progress";
    }

    @Override
    public Recovery run(Sandbox box, Ledger ledger, Timeline t) {
        PostgresServer primary = box.postgres().primary();
        Instant target = Instant.now();
        long fault = System.currentTimeMillis();
        int deleted = execute(primary, "DELETE FROM progress_events WHERE id % 2 = 0");
        t.event("fault: DELETE FROM progress_events WHERE id % 2 = 0 removed " + deleted + " rows; recovery target " + target);
        t.phase("detect", () -> {
            while (count(primary, "SELECT count(*) FROM progress_events WHERE id <= " + SEED_ROWS) == SEED_ROWS) {
                Probes.sleep(50);
            }
        }, "progress_events lost rows that existed before (integrity probe every 50 ms)");
        t.phase("decide", () -> { }, "point-in-time recovery to " + target + ", just before the DELETE, into a new cluster");
        t.phase("fence", () -> {
            box.app().maintenance(true);
            box.awaitWalArchived(Duration.ofSeconds(30));
        }, "maintenance mode: the application refuses writes; WAL up to the DELETE is in the repository; the damaged primary is kept for forensics");
        PostgresRecovery recovery = new PostgresRecovery(box.repository(), Sandbox.CLUSTER);
        PostgresRecovery.Plan plan = recovery.plan(Optional.empty(), RecoveryTarget.at(target));
        Path home = box.postgres().newServerHome("recovered");
        int port = dev.lifeboat.core.process.Ports.freeLoopback();
        long start = System.currentTimeMillis();
        PostgresRecovery.Result r;
        try {
            r = recovery.recover(plan, home.resolve("data"), port, "postgres", Optional.empty(), Optional.empty(), Duration.ofMinutes(5));
        } catch (RuntimeException e) {
            // The server recovery started is not the harness's yet: stop it, so a failed drill leaves nothing running.
            if (java.nio.file.Files.exists(home.resolve("data/postmaster.pid"))) {
                try {
                    dev.lifeboat.postgres.recovery.PostgresControl.of(home.resolve("data"), Optional.empty()).stop(Duration.ofSeconds(30));
                } catch (RuntimeException stop) {
                    e.addSuppressed(stop);
                }
            }
            throw e;
        }
        long restored = start + r.restore().toMillis();
        t.record("restore", start, restored, "backup " + plan.backup().shortId() + " and " + plan.wal().size() + " WAL segment(s)"
                + (plan.partialTail() ? " plus the partial one" : "") + " restored into " + home.resolve("data"));
        t.record("replay", restored, System.currentTimeMillis(), "replayed to " + r.lastReplayedCommit().orElse("the target") + " and promoted on port " + port);
        recovered = box.postgres().adopt(home, "recovered", port);
        List<String> checks = new ArrayList<>();
        boolean ok = t.phase("validate", () -> validate(ledger, target.toEpochMilli(), fault, checks), v -> String.join("; ", checks));
        // The damaged primary is kept for forensics, but its history past the DELETE is not the cluster's any more:
        // the archive stops taking it, as after a failover.
        box.stopWalStreaming();
        t.phase("re-route", () -> {
            box.router().repoint(Probes.endpoint(recovered));
            box.app().reconnect();
            box.app().maintenance(false);
        }, "the router sends the application to the recovered cluster; maintenance off");
        box.repointPlan(recovered);
        t.event("the sandbox's plan names the recovered cluster " + recovered.host() + ":" + recovered.port() + " as " + Sandbox.CLUSTER
                + "'s primary, with no replica: the old replica follows the damaged primary, kept for forensics");
        return new Recovery(fault, ok, checks);
    }

    private boolean validate(Ledger ledger, long target, long fault, List<String> checks) {
        int seed = count(recovered, "SELECT count(*) FROM progress_events WHERE id <= " + SEED_ROWS);
        checks.add(seed + " of " + SEED_ROWS + " seed rows back");
        List<String> before = new ArrayList<>();
        List<String> after = new ArrayList<>();
        for (Ledger.Write w : ledger.writes("progress")) {
            // Acknowledgement times are whole milliseconds, cut down: one in the target's own millisecond may have
            // come after the target, its commit too, and then point-in-time recovery rightly leaves it out.
            if (w.ackedAt() < target) {
                before.add(w.id());
            } else if (w.sentAt() >= fault) {
                after.add(w.id());
            }
        }
        Set<String> missingBefore = Probes.missingProgress(recovered, before);
        Set<String> missingAfter = Probes.missingProgress(recovered, after);
        int presentAfter = after.size() - missingAfter.size();
        checks.add((before.size() - missingBefore.size()) + " of " + before.size() + " writes acknowledged before the target present");
        checks.add(presentAfter + " of " + after.size() + " writes sent after the DELETE present (must be 0)");
        return seed == SEED_ROWS && missingBefore.isEmpty() && presentAfter == 0;
    }

    @Override
    public Set<String> missing(Sandbox box, List<String> ids) {
        return Probes.missingProgress(recovered, ids);
    }

    private static int execute(PostgresServer s, String sql) {
        try (Connection c = s.connect("learning"); Statement st = c.createStatement()) {
            return st.executeUpdate(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    private static int count(PostgresServer s, String sql) {
        try (Connection c = s.connect("learning"); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getInt(1);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }
}
