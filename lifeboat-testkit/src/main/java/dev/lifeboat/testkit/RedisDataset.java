package dev.lifeboat.testkit;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.params.XReadGroupParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * Test data for Redis protection: {@link #populate} writes keys of every data type in both small (listpack,
 * intset) and large (hashtable, quicklist, skiplist) encodings, with TTLs on some, into databases 0 and 1;
 * {@link #differences} compares two servers key by key (type, value and TTL within a tolerance).
 */
public final class RedisDataset {
    private RedisDataset() {
    }

    /** Writes about {@code keys} keys into database 0 and a hundred into database 1. */
    public static void populate(Jedis j, int keys) {
        Pipeline p = j.pipelined();
        p.select(0);
        for (int i = 0; i < keys; i++) {
            String k = "k:" + i;
            switch (i % 10) {
                case 0, 1, 2, 3 -> p.set(k, i % 7 == 0 ? Integer.toString(i) : "value-" + i + "-" + "x".repeat(i % 90));
                case 4 -> {
                    Map<String, String> h = new HashMap<>();
                    int n = i % 97 == 4 ? 300 : 5;
                    for (int f = 0; f < n; f++) {
                        h.put("field" + f, "v" + (i + f));
                    }
                    p.hset("session:" + i, h);
                }
                case 5 -> {
                    int n = i % 101 == 5 ? 500 : 6;
                    for (int e = 0; e < n; e++) {
                        p.rpush("list:" + i, "item-" + e);
                    }
                }
                case 6 -> {
                    int n = i % 89 == 6 ? 700 : 8;
                    for (int e = 0; e < n; e++) {
                        p.sadd("set:" + i, i % 3 == 0 ? Integer.toString(e) : "m" + e);
                    }
                }
                case 7 -> {
                    int n = i % 83 == 7 ? 400 : 7;
                    for (int e = 0; e < n; e++) {
                        p.zadd("zset:" + i, e * 1.5 + i, "member-" + e);
                    }
                }
                case 8 -> {
                    if (i % 20 == 8) {
                        for (int e = 0; e < 5; e++) {
                            p.xadd("stream:" + i, StreamEntryID.NEW_ENTRY, Map.of("event", "e" + e, "n", Integer.toString(e)));
                        }
                    } else {
                        p.set("counter:" + i, Integer.toString(i * 3));
                    }
                }
                default -> p.setex("ttl:" + i, 3600 + i % 600, "expiring-" + i);
            }
            if (i % 1000 == 999) {
                p.sync();
                p = j.pipelined();
                p.select(0);
            }
        }
        p.select(1);
        for (int i = 0; i < 100; i++) {
            p.set("db1:" + i, "in-db-one-" + i);
        }
        p.select(0);
        p.sync();
        // A consumer group with pending entries, so the stream's PEL and consumers are part of the data.
        j.select(0);
        String stream = "stream:8";
        j.xgroupCreate(stream, "workers", new StreamEntryID(0, 0), false);
        j.xreadGroup("workers", "alice", XReadGroupParams.xReadGroupParams().count(3), Map.of(stream, StreamEntryID.UNRECEIVED_ENTRY));
    }

    /** Every difference between {@code expected} and {@code actual} in databases 0 and 1 (at most 20 listed). */
    public static List<String> differences(Jedis expected, Jedis actual, long ttlToleranceMillis) {
        List<String> out = new ArrayList<>();
        for (int db = 0; db <= 1; db++) {
            expected.select(db);
            actual.select(db);
            if (expected.dbSize() != actual.dbSize()) {
                out.add("db" + db + ": " + expected.dbSize() + " keys expected, " + actual.dbSize() + " found");
            }
            String cursor = ScanParams.SCAN_POINTER_START;
            do {
                ScanResult<String> page = expected.scan(cursor, new ScanParams().count(1000));
                List<String> keys = page.getResult();
                List<Object[]> e = read(expected, keys);
                List<Object[]> a = read(actual, keys);
                for (int i = 0; i < keys.size() && out.size() < 20; i++) {
                    String d = difference(e.get(i), a.get(i), ttlToleranceMillis);
                    if (d != null) {
                        out.add("db" + db + " " + keys.get(i) + ": " + d);
                    }
                }
                cursor = page.getCursor();
            } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
        }
        expected.select(0);
        actual.select(0);
        return out;
    }

    /** Type, value and PTTL of each key, read in two pipelined round trips. */
    private static List<Object[]> read(Jedis j, List<String> keys) {
        Pipeline p = j.pipelined();
        List<redis.clients.jedis.Response<String>> types = keys.stream().map(p::type).toList();
        p.sync();
        p = j.pipelined();
        List<redis.clients.jedis.Response<?>> values = new ArrayList<>();
        List<redis.clients.jedis.Response<Long>> ttls = new ArrayList<>();
        for (int i = 0; i < keys.size(); i++) {
            String k = keys.get(i);
            values.add(switch (types.get(i).get()) {
                case "string" -> p.get(k);
                case "hash" -> p.hgetAll(k);
                case "list" -> p.lrange(k, 0, -1);
                case "set" -> p.smembers(k);
                case "zset" -> p.zrangeWithScores(k, 0, -1);
                case "stream" -> p.xrange(k, (StreamEntryID) null, (StreamEntryID) null);
                default -> p.type(k);
            });
            ttls.add(p.pttl(k));
        }
        p.sync();
        List<Object[]> out = new ArrayList<>();
        for (int i = 0; i < keys.size(); i++) {
            Object v = values.get(i).get();
            if (v instanceof java.util.Set<?> set) {
                v = new java.util.TreeSet<Object>(set);
            } else if (v instanceof Map<?, ?> map) {
                v = new java.util.TreeMap<Object, Object>(map);
            }
            if ("stream".equals(types.get(i).get())) {
                v = v + "" + j.xinfoGroups(keys.get(i)).stream().map(g -> g.getName() + "/" + g.getPending() + "/" + g.getLastDeliveredId()).toList();
            }
            out.add(new Object[] {types.get(i).get(), String.valueOf(v), ttls.get(i).get()});
        }
        return out;
    }

    private static String difference(Object[] e, Object[] a, long tolerance) {
        if (!e[0].equals(a[0])) {
            return "type " + e[0] + " vs " + a[0];
        }
        if (!Objects.equals(e[1], a[1])) {
            return "value differs";
        }
        long et = (Long) e[2];
        long at = (Long) a[2];
        if ((et < 0) != (at < 0) || Math.abs(et - at) > tolerance) {
            return "TTL " + et + " ms vs " + at + " ms";
        }
        return null;
    }
}
