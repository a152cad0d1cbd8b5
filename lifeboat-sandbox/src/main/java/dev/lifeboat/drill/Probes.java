package dev.lifeboat.drill;

import dev.lifeboat.core.plan.Endpoint;
import dev.lifeboat.postgres.failover.PostgresFailover;
import dev.lifeboat.testkit.PostgresServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Small checks the scenarios share: is a port down, which acknowledged rows are missing. */
final class Probes {
    private Probes() {
    }

    /** Waits until nothing accepts connections on host:port; returns the milliseconds it took. */
    static long awaitDown(String host, int port, Duration limit) {
        long t0 = System.currentTimeMillis();
        while (System.currentTimeMillis() - t0 < limit.toMillis()) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(host, port), 200);
            } catch (IOException e) {
                return System.currentTimeMillis() - t0;
            }
            sleep(50);
        }
        throw new IllegalStateException(host + ":" + port + " still accepts connections after " + limit);
    }

    /**
     * Runs {@code kill} (a SIGKILL through the harness) on its own thread: the signal lands at once, but the harness
     * then waits for the process tree to be reaped, which must not delay detection.
     */
    static void inject(Runnable kill) {
        Thread t = new Thread(kill, "drill-fault");
        t.setDaemon(true);
        t.start();
    }

    static PostgresFailover.Server server(PostgresServer s) {
        return new PostgresFailover.Server(s.host() + ":" + s.port(), s.jdbcUrl("postgres"), "postgres", Optional.empty());
    }

    static Endpoint endpoint(PostgresServer s) {
        return new Endpoint(s.host(), s.port());
    }

    /** The request ids of acknowledged progress events that are not in {@code server}'s learning database. */
    static Set<String> missingProgress(PostgresServer server, List<String> ids) {
        Set<String> missing = new HashSet<>(ids);
        try (Connection c = server.connect("learning");
             PreparedStatement st = c.prepareStatement("SELECT request_id FROM progress_events WHERE request_id = ANY (?)")) {
            Array arr = c.createArrayOf("text", ids.toArray());
            st.setArray(1, arr);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    missing.remove(rs.getString(1));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("checking the ledger against " + server + ": " + e.getMessage(), e);
        }
        return missing;
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
