package dev.lifeboat.drill;

import dev.lifeboat.postgres.failover.PostgresFailover;
import dev.lifeboat.sandbox.Ledger;
import dev.lifeboat.sandbox.Sandbox;
import dev.lifeboat.testkit.PostgresServer;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The seed's "primary database failure": the PostgreSQL primary is killed with SIGKILL; Lifeboat detects it,
 * promotes the streaming replica (Runbook 1, {@code failover postgres --to-replica}), fencing the old primary if it
 * answers, and re-points the application's router. Writes the replica had not received are the data loss.
 */
public final class PrimaryFailure implements Scenario {
    private PostgresServer promoted;

    @Override
    public String name() {
        return "primary-failure";
    }

    @Override
    public String description() {
        return "kill -9 of the PostgreSQL primary; failover to the streaming replica; the application writes again";
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
        PostgresServer replica = box.postgres().replica(0);
        long fault = System.currentTimeMillis();
        Probes.inject(primary::crash);
        t.event("fault: killed the PostgreSQL primary " + primary.host() + ":" + primary.port() + " with SIGKILL");
        t.phase("detect", () -> Probes.awaitDown(primary.host(), primary.port(), Duration.ofSeconds(10)),
                ms -> "the primary refuses connections (checked every 50 ms)");
        PostgresFailover.Server rep = Probes.server(replica);
        PostgresFailover.Server old = Probes.server(primary);
        PostgresFailover failover = new PostgresFailover(t::event);
        PostgresFailover.Check check = t.phase("decide", () -> failover.check(rep, Optional.of(old)),
                c -> "promote the replica " + rep.name() + ": in recovery, " + c.lagBytes() + " bytes behind what it received");
        t.phase("fence", () -> failover.fence(old), PostgresFailover.Fence::note);
        t.phase("promote", () -> failover.promote(rep, Duration.ofSeconds(60)), lsn -> rep.name() + " takes writes at " + lsn);
        box.stopWalStreaming();
        t.phase("re-route", () -> {
            box.router().repoint(Probes.endpoint(replica));
            box.app().reconnect();
        }, "the router sends the application to " + replica.host() + ":" + replica.port());
        box.repointPlan(replica);
        t.event("the sandbox's plan names " + replica.host() + ":" + replica.port() + " as " + Sandbox.CLUSTER
                + "'s primary, with no replica: the old primary is gone");
        promoted = replica;
        return new Recovery(fault, validate(replica, check.lagBytes()), checks);
    }

    private final List<String> checks = new java.util.ArrayList<>();

    /** Asks the promoted server itself: out of recovery, the seed data there, and a write (an xid) accepted. */
    private boolean validate(PostgresServer server, long lagBytes) {
        try (java.sql.Connection c = server.connect("learning"); java.sql.Statement st = c.createStatement();
             java.sql.ResultSet rs = st.executeQuery("SELECT pg_is_in_recovery(), (SELECT count(*) FROM users), (SELECT count(*) FROM courses), "
                     + "txid_current()")) {
            rs.next();
            boolean primary = !rs.getBoolean(1);
            long users = rs.getLong(2);
            long courses = rs.getLong(3);
            checks.add("the promoted replica " + (primary ? "is out of recovery and accepted a write (transaction " + rs.getLong(4) + ")"
                    : "is still in recovery") + "; WAL the replica had received but not yet replayed at the switch (replayed before promotion, not lost): "
                    + lagBytes + " bytes");
            checks.add("seed data on it: " + users + " of 1000 users, " + courses + " of 50 courses");
            return primary && users == 1000 && courses == 50;
        } catch (java.sql.SQLException e) {
            checks.add("the promoted replica did not answer: " + e.getMessage());
            return false;
        }
    }

    @Override
    public Set<String> missing(Sandbox box, List<String> ids) {
        return Probes.missingProgress(promoted, ids);
    }
}
