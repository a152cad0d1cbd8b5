package dev.lifeboat.redis;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import redis.clients.jedis.Jedis;

/** The fields of {@code INFO}, parsed into a map ({@code role}, {@code redis_version}, {@code total_forks}, ...). */
public final class ServerInfo {
    private final Map<String, String> fields;

    private ServerInfo(Map<String, String> fields) {
        this.fields = fields;
    }

    public static ServerInfo of(Jedis j, String... sections) {
        StringBuilder all = new StringBuilder();
        if (sections.length == 0) {
            all.append(j.info());
        }
        for (String s : sections) {
            all.append(j.info(s)).append('\n');
        }
        return parse(all.toString());
    }

    public static ServerInfo parse(String text) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String line : text.split("\r?\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && !line.startsWith("#")) {
                m.put(line.substring(0, colon), line.substring(colon + 1).trim());
            }
        }
        return new ServerInfo(m);
    }

    public Optional<String> get(String key) {
        return Optional.ofNullable(fields.get(key));
    }

    public String text(String key) {
        return fields.getOrDefault(key, "");
    }

    public long number(String key) {
        try {
            return Long.parseLong(fields.getOrDefault(key, "-1"));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    public boolean isMaster() {
        return "master".equals(fields.get("role"));
    }

    /** Keys in all databases, from the keyspace section's {@code dbN:keys=...} lines (0 when that section was not read). */
    public long keys() {
        return fields.entrySet().stream().filter(e -> e.getKey().matches("db\\d+"))
                .mapToLong(e -> Long.parseLong(pairs(e.getValue()).getOrDefault("keys", "0"))).sum();
    }

    /** Every field, for callers that look through numbered entries such as {@code slave0}. */
    public Map<String, String> fields() {
        return fields;
    }

    /** Parses an INFO value of the form {@code a=1,b=2} (replica and keyspace lines). */
    public static Map<String, String> pairs(String value) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String part : value.split(",")) {
            int eq = part.indexOf('=');
            if (eq > 0) {
                m.put(part.substring(0, eq), part.substring(eq + 1));
            }
        }
        return m;
    }
}
