package dev.lifeboat.redis.backup;

import dev.lifeboat.core.error.ErrorCode;
import dev.lifeboat.core.error.LifeboatException;
import dev.lifeboat.redis.RedisTarget;
import dev.lifeboat.redis.ServerInfo;
import dev.lifeboat.redis.rdb.RdbSnapshotReader;
import dev.lifeboat.redis.rdb.RdbSummary;
import dev.lifeboat.repository.BlobSink;
import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.Snapshot;
import dev.lifeboat.repository.SnapshotManifest;
import dev.lifeboat.repository.files.DirectoryBackup;
import dev.lifeboat.repository.files.Progress;
import dev.lifeboat.repository.files.TreeWriter;
import java.io.IOException;
import dev.lifeboat.core.io.BulkInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import redis.clients.jedis.Jedis;

/**
 * A consistent copy of a Redis 7 multi-part AOF (base file, incremental files and manifest) from the server's data
 * directory on this host, as Redis's persistence documentation describes: automatic rewrites are paused
 * ({@code auto-aof-rewrite-percentage 0}) and any rewrite in progress is waited out, so the set of files the
 * manifest names cannot change while it is copied; the manifest is copied first, each incremental file up to the
 * length it had when copying began (Redis only appends to it; a torn last command is what
 * {@code aof-load-truncated} tolerates), and the setting is put back afterwards, also on failure. A base in RDB
 * form is checked (structure and CRC-64) as it is read.
 */
public final class AofBackup {
    private final Repository repo;
    private final Clock clock;

    public AofBackup(Repository repo, Clock clock) {
        this.repo = repo;
        this.clock = clock;
    }

    /** One line of the AOF manifest. */
    record Part(String file, long seq, char type) {
    }

    public Snapshot run(RedisTarget server, Path dataDir, String name, Map<String, String> labels, Progress progress, Consumer<String> timeline) {
        Instant started = clock.instant();
        long t0 = System.nanoTime();
        try (Jedis j = server.connect()) {
            Path serverDir = Path.of(j.configGet("dir").get("dir"));
            Path dir;
            try {
                dir = dataDir.toRealPath();
                if (!Files.isSameFile(dir, serverDir)) {
                    throw new LifeboatException(ErrorCode.USAGE, "the server's dir is " + serverDir + ", not " + dataDir,
                            "Pass the data directory of the server you connect to (--data-dir), on the host it runs on.");
                }
            } catch (IOException e) {
                throw new LifeboatException(ErrorCode.USAGE, "cannot read " + dataDir + ": " + e.getMessage(), null, e);
            }
            if (!"yes".equals(j.configGet("appendonly").get("appendonly"))) {
                throw new LifeboatException(ErrorCode.USAGE, server + " has appendonly no: there is no AOF to copy",
                        "Back up its RDB with 'lifeboat backup redis' instead.");
            }
            Path aofDir = dir.resolve(j.configGet("appenddirname").get("appenddirname"));
            String aofName = j.configGet("appendfilename").get("appendfilename");
            String before = j.configGet("auto-aof-rewrite-percentage").get("auto-aof-rewrite-percentage");
            j.configSet("auto-aof-rewrite-percentage", "0");
            timeline.accept("paused automatic AOF rewrites on " + server + " (auto-aof-rewrite-percentage was " + before + ") while copying");
            try {
                awaitNoRewrite(j, timeline);
                String version = ServerInfo.of(j, "server").text("redis_version");
                return copy(aofDir, aofName, name, version, labels, started, t0, progress);
            } finally {
                j.configSet("auto-aof-rewrite-percentage", before);
                timeline.accept("restored auto-aof-rewrite-percentage " + before + " on " + server);
            }
        }
    }

    private static void awaitNoRewrite(Jedis j, Consumer<String> timeline) {
        long deadline = System.nanoTime() + 600_000_000_000L;
        boolean said = false;
        while (true) {
            ServerInfo p = ServerInfo.of(j, "persistence");
            if (p.number("aof_rewrite_in_progress") == 0 && p.number("aof_rewrite_scheduled") == 0) {
                return;
            }
            if (!said) {
                timeline.accept("an AOF rewrite is running; waiting for it to finish before copying");
                said = true;
            }
            if (System.nanoTime() > deadline) {
                throw new LifeboatException(ErrorCode.SOURCE_UNREACHABLE, "an AOF rewrite did not finish within 10 minutes", null);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LifeboatException(ErrorCode.INTERRUPTED, "interrupted", null, e);
            }
        }
    }

    static List<Part> parseManifest(String text) {
        List<Part> parts = new ArrayList<>();
        for (String line : text.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 6 || !f[0].equals("file")) {
                continue;
            }
            Map<String, String> kv = new LinkedHashMap<>();
            for (int i = 0; i + 1 < f.length; i += 2) {
                kv.put(f[i], f[i + 1]);
            }
            parts.add(new Part(kv.get("file"), Long.parseLong(kv.getOrDefault("seq", "0")), kv.getOrDefault("type", "?").charAt(0)));
        }
        return parts;
    }

    private Snapshot copy(Path aofDir, String aofName, String name, String version, Map<String, String> labels, Instant started, long t0,
                          Progress progress) {
        Path manifestFile = aofDir.resolve(aofName + ".manifest");
        BlobSink sink = repo.newSink();
        try (TreeWriter tree = new TreeWriter(sink, repo.fileChunker(), 2, progress, 0)) {
            byte[] manifest = Files.readAllBytes(manifestFile);
            List<Part> parts = parseManifest(new String(manifest, java.nio.charset.StandardCharsets.UTF_8)).stream()
                    .filter(p -> p.type() == 'b' || p.type() == 'i').toList();
            if (parts.stream().noneMatch(p -> p.type() == 'b')) {
                throw new LifeboatException(ErrorCode.RDB_INVALID, "the AOF manifest " + manifestFile + " names no base file", null);
            }
            long mtime = clock.instant().toEpochMilli() * 1_000_000;
            tree.file("appendonlydir/" + manifestFile.getFileName(), manifest, 0644, mtime, null, null);
            long bytes = manifest.length;
            Map<String, String> l = new LinkedHashMap<>(labels);
            for (Part p : parts) {
                Path file = aofDir.resolve(p.file());
                long length = Files.size(file);
                if (p.type() == 'b' && p.file().endsWith(".rdb")) {
                    // Checked to its end in a first pass, streamed (a base RDB of many GB fits no array); a base file
                    // is never written again once renamed into place, and rewrites are paused while this copies.
                    try (InputStream in = new BoundedStream(new java.io.BufferedInputStream(Files.newInputStream(file)), length)) {
                        RdbSummary s = RdbSnapshotReader.check(in);
                        l.put("base_rdb_version", Integer.toString(s.version()));
                        l.put("base_keys", Long.toString(s.keys()));
                    }
                }
                try (InputStream in = new java.io.BufferedInputStream(Files.newInputStream(file))) {
                    tree.file("appendonlydir/" + p.file(), new BoundedStream(in, length), repo.fileChunker(), 0644, mtime);
                }
                bytes += length;
            }
            BlobSink.Stats content = sink.stats();
            List<String> ids = tree.finish();
            BlobSink.Stats stats = sink.finish();
            l.put("format", "aof");
            l.put("redis_version", version);
            l.put("aof_files", String.join(",", parts.stream().map(Part::file).toList()));
            SnapshotManifest m = new SnapshotManifest(SnapshotManifest.FORMAT, started.toString(), clock.instant().toString(), DirectoryBackup.hostname(),
                    "redis", name, aofDir.toString(), List.of(), repo.fileChunker().describe(), ids,
                    new SnapshotManifest.Stats(parts.size() + 1, 1, bytes, content.newBytes(), stats.storedBytes(), content.chunks(),
                            content.newChunks(), (System.nanoTime() - t0) / 1_000_000), l);
            return repo.snapshots().save(m);
        } catch (IOException e) {
            throw new LifeboatException(ErrorCode.USAGE, "cannot read the AOF in " + aofDir + ": " + e.getMessage(),
                    "Run the backup on the Redis host as a user that can read its data directory.", e);
        }
    }

    /** The first {@code limit} bytes of a stream. */
    static final class BoundedStream extends BulkInputStream {
        private final InputStream in;
        private long left;

        BoundedStream(InputStream in, long limit) {
            this.in = in;
            this.left = limit;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left <= 0) {
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n > 0) {
                left -= n;
            }
            return n;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
