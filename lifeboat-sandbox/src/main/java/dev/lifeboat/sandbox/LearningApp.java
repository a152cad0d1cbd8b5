package dev.lifeboat.sandbox;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisSentinelPool;
import redis.clients.jedis.params.SetParams;

/**
 * The reference application standing in for the Learning Assistant API: {@code GET /api/health},
 * {@code POST /api/progress?rid=&user=&course=&score=} (a row in progress_events carrying the client's request id,
 * answered with it) and
 * {@code POST /api/sessions?user=} (a session key in Redis with a one-hour TTL). PostgreSQL is reached through the
 * {@link Router}, Redis through its Sentinels, as the real API would. In maintenance mode every write answers 503.
 */
public final class LearningApp implements AutoCloseable {
    private final HttpServer server;
    private final String jdbcUrl;
    private final JedisSentinelPool redis;
    private final AtomicLong sessions = new AtomicLong();
    private volatile boolean maintenance;
    private Connection db;

    public LearningApp(int routerPort, String database, String masterName, Set<String> sentinels) throws IOException {
        this.jdbcUrl = "jdbc:postgresql://127.0.0.1:" + routerPort + "/" + database;
        this.redis = new JedisSentinelPool(masterName, sentinels.stream().map(HostAndPort::from)
                .collect(java.util.stream.Collectors.toSet()), DefaultJedisClientConfig.builder().connectionTimeoutMillis(2000)
                .socketTimeoutMillis(2000).build(), DefaultJedisClientConfig.builder().connectionTimeoutMillis(2000).build());
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.setExecutor(Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "sandbox-app");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/api/health", this::health);
        server.createContext("/api/progress", this::progress);
        server.createContext("/api/sessions", this::session);
        server.start();
    }

    public URI base() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** While on, writes answer 503 (what an operator switches on when data is known to be bad). */
    public void maintenance(boolean on) {
        maintenance = on;
    }

    /** Drops the database connection so the next request reconnects through the router. */
    public synchronized void reconnect() {
        closeDb();
    }

    private void health(HttpExchange x) throws IOException {
        Map<String, String> status = new HashMap<>();
        boolean ok = true;
        try {
            synchronized (this) {
                try (PreparedStatement st = connection().prepareStatement("SELECT 1")) {
                    st.execute();
                }
            }
            status.put("database", "ok");
        } catch (SQLException e) {
            closeDb();
            status.put("database", "down");
            ok = false;
        }
        try (Jedis j = redis.getResource()) {
            j.ping();
            status.put("cache", "ok");
        } catch (RuntimeException e) {
            status.put("cache", "down");
            ok = false;
        }
        reply(x, ok ? 200 : 503, "{\"status\":\"" + (ok ? "ok" : "degraded") + "\",\"database\":\"" + status.get("database")
                + "\",\"cache\":\"" + status.get("cache") + "\"}");
    }

    private void progress(HttpExchange x) throws IOException {
        if (!write(x)) {
            return;
        }
        Map<String, String> q = query(x);
        String rid = q.getOrDefault("rid", "r" + System.nanoTime());
        try {
            synchronized (this) {
                try (PreparedStatement st = connection().prepareStatement(
                        "INSERT INTO progress_events (request_id, user_id, course_id, event, score) VALUES (?, ?, ?, 'lesson-completed', ?)")) {
                    st.setString(1, rid);
                    st.setLong(2, Long.parseLong(q.getOrDefault("user", "1")));
                    st.setInt(3, Integer.parseInt(q.getOrDefault("course", "1")));
                    st.setInt(4, Integer.parseInt(q.getOrDefault("score", "0")));
                    st.executeUpdate();
                }
            }
            reply(x, 201, "{\"id\":\"" + rid + "\"}");
        } catch (SQLException e) {
            closeDb();
            reply(x, 503, "{\"error\":\"database unavailable\"}");
        }
    }

    private void session(HttpExchange x) throws IOException {
        if (!write(x)) {
            return;
        }
        String key = "session:" + query(x).getOrDefault("user", "0") + ":" + sessions.incrementAndGet();
        try (Jedis j = redis.getResource()) {
            j.set(key, "token-" + Long.toHexString(System.nanoTime()), SetParams.setParams().ex(3600));
            reply(x, 201, "{\"id\":\"" + key + "\"}");
        } catch (RuntimeException e) {
            reply(x, 503, "{\"error\":\"cache unavailable\"}");
        }
    }

    private boolean write(HttpExchange x) throws IOException {
        if (!"POST".equals(x.getRequestMethod())) {
            reply(x, 405, "{\"error\":\"POST only\"}");
            return false;
        }
        if (maintenance) {
            reply(x, 503, "{\"error\":\"maintenance\"}");
            return false;
        }
        return true;
    }

    private Connection connection() throws SQLException {
        if (db == null) {
            Properties p = new Properties();
            p.setProperty("user", "postgres");
            p.setProperty("connectTimeout", "2");
            p.setProperty("socketTimeout", "5");
            p.setProperty("ApplicationName", "learning-assistant-api");
            db = DriverManager.getConnection(jdbcUrl, p);
        }
        return db;
    }

    private synchronized void closeDb() {
        if (db != null) {
            try {
                db.close();
            } catch (SQLException e) {
                // a broken connection
            }
            db = null;
        }
    }

    private static Map<String, String> query(HttpExchange x) {
        Map<String, String> m = new HashMap<>();
        String q = x.getRequestURI().getRawQuery();
        if (q != null) {
            for (String part : q.split("&")) {
                int eq = part.indexOf('=');
                if (eq > 0) {
                    m.put(part.substring(0, eq), part.substring(eq + 1));
                }
            }
        }
        return m;
    }

    private static void reply(HttpExchange x, int status, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().set("Content-Type", "application/json");
        x.sendResponseHeaders(status, body.length);
        try (OutputStream out = x.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
        redis.close();
        closeDb();
    }
}
