package dev.lifeboat.postgres.connect;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;

/**
 * Short-lived ordinary connections for asking a server something (status, failover, slot housekeeping): bounded
 * so that a server behind a dead link fails the question instead of hanging the command, and named so that
 * {@code pg_stat_activity} tells who asked.
 */
public final class Connections {
    /** No statement Lifeboat asks this way takes longer. */
    static final Duration SOCKET_TIMEOUT = Duration.ofSeconds(30);

    private Connections() {
    }

    public static Connection open(String jdbcUrl, String user, Optional<String> password, Duration connectTimeout, String applicationName)
            throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", user);
        password.ifPresent(pw -> p.setProperty("password", pw));
        p.setProperty("connectTimeout", Long.toString(Math.max(1, connectTimeout.toSeconds())));
        p.setProperty("socketTimeout", Long.toString(SOCKET_TIMEOUT.toSeconds()));
        p.setProperty("ApplicationName", applicationName);
        return DriverManager.getConnection(jdbcUrl, p);
    }
}
