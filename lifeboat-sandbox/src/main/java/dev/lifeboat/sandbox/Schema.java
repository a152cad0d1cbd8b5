package dev.lifeboat.sandbox;

import dev.lifeboat.testkit.PostgresServer;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The Learning Assistant schema with some data: users and their profiles, courses (content), learning progress and
 * progress events (what the workload writes), analytics and the audit log. Sessions live in Redis.
 */
final class Schema {
    static final String DATABASE = "learning";

    private Schema() {
    }

    static void load(PostgresServer primary) {
        primary.execute("CREATE DATABASE " + DATABASE);
        try (Connection c = primary.connect(DATABASE); Statement st = c.createStatement()) {
            for (String sql : new String[] {
                "CREATE TABLE users (id bigint PRIMARY KEY, email text UNIQUE NOT NULL, name text, created_at timestamptz DEFAULT now())",
                "CREATE TABLE user_profiles (user_id bigint PRIMARY KEY REFERENCES users, locale text, timezone text)",
                "CREATE TABLE courses (id int PRIMARY KEY, title text NOT NULL, summary text, published boolean DEFAULT true)",
                "CREATE TABLE learning_progress (user_id bigint REFERENCES users, course_id int REFERENCES courses, percent int, "
                        + "updated_at timestamptz DEFAULT now(), PRIMARY KEY (user_id, course_id))",
                "CREATE TABLE progress_events (id bigserial PRIMARY KEY, request_id text UNIQUE, user_id bigint NOT NULL, course_id int NOT NULL, event text, "
                        + "score int, created_at timestamptz DEFAULT clock_timestamp())",
                "CREATE SCHEMA analytics",
                "CREATE TABLE analytics.daily_activity (day date, course_id int, learners int, PRIMARY KEY (day, course_id))",
                "CREATE SCHEMA audit",
                "CREATE TABLE audit.audit_log (id bigserial PRIMARY KEY, at timestamptz DEFAULT now(), actor text, action text)",
                "INSERT INTO users SELECT g, 'learner' || g || '@example.com', 'Learner ' || g FROM generate_series(1, 1000) g",
                "INSERT INTO user_profiles SELECT g, 'en', 'UTC' FROM generate_series(1, 1000) g",
                "INSERT INTO courses SELECT g, 'Course ' || g, 'What course ' || g || ' teaches', g % 10 <> 0 FROM generate_series(1, 50) g",
                "INSERT INTO learning_progress SELECT u, c, (u * c) % 101, now() FROM generate_series(1, 1000) u, generate_series(1, 5) c",
                "INSERT INTO progress_events (user_id, course_id, event, score) SELECT g % 1000 + 1, g % 50 + 1, 'lesson-completed', g % 101 "
                        + "FROM generate_series(1, 5000) g",
                "INSERT INTO analytics.daily_activity SELECT current_date - d, c, (d * c) % 97 FROM generate_series(0, 29) d, generate_series(1, 50) c",
                "INSERT INTO audit.audit_log (actor, action) SELECT 'system', 'seed ' || g FROM generate_series(1, 100) g"
            }) {
                st.execute(sql);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("loading the sandbox schema: " + e.getMessage(), e);
        }
    }
}
