package dev.lifeboat.redis.backup;

import dev.lifeboat.core.error.ErrorCode;
import dev.lifeboat.core.error.LifeboatException;
import dev.lifeboat.redis.RedisTarget;
import dev.lifeboat.redis.ServerInfo;
import dev.lifeboat.redis.rdb.RdbSnapshotReader;
import dev.lifeboat.redis.rdb.RdbSummary;
import dev.lifeboat.redis.replication.RdbTransfer;
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
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import redis.clients.jedis.Jedis;

/**
 * A snapshot of a Redis instance: the RDB is fetched over the replication protocol ({@link RdbTransfer}), so the
 * server it comes from forks once and writes nothing to its own disk; pointed at a replica, the primary is not
 * touched at all. The bytes are chunked into the repository as they arrive (content-defined chunks, so unchanged
 * parts of the keyspace are stored once across snapshots) while a second thread reads the same bytes as an RDB and
 * checks its CRC-64. The snapshot is saved only if the RDB is complete and its checksum matches; otherwise nothing
 * refers to what was stored, and prune reclaims it.
 */
public final class RdbBackup {
    private final Repository repo;
    private final Clock clock;

    public RdbBackup(Repository repo, Clock clock) {
        this.repo = repo;
        this.clock = clock;
    }

    /** Takes the snapshot from {@code source}; {@code labels} are added to the manifest (e.g. the instance's primary). */
    public Snapshot run(RedisTarget source, String name, Map<String, String> labels, Progress progress) {
        Instant started = clock.instant();
        long t0 = System.nanoTime();
        ServerInfo info;
        try (Jedis j = source.connect()) {
            info = ServerInfo.of(j, "server", "replication", "memory");
        }
        BlobSink sink = repo.newSink();
        try (RdbTransfer transfer = RdbTransfer.start(source, 600_000);
             TreeWriter tree = new TreeWriter(sink, repo.fileChunker(), 2, progress, 0)) {
            PipedInputStream parserIn = new PipedInputStream(1 << 20);
            PipedOutputStream toParser = new PipedOutputStream(parserIn);
            // A thread of its own, which ends when the parser fails: the pipe then refuses writes instead of blocking.
            CompletableFuture<RdbSummary> parsed = CompletableFuture.supplyAsync(() -> {
                try {
                    return RdbSnapshotReader.check(parserIn);
                } finally {
                    try {
                        parserIn.close();
                    } catch (IOException e) {
                        // nothing to release
                    }
                }
            }, r -> {
                Thread t = new Thread(r, "lifeboat-rdb-check");
                t.setDaemon(true);
                t.start();
            });
            long length;
            try (InputStream tee = new Tee(transfer.body(), toParser)) {
                length = tree.file(RdbSnapshotReader.RDB_FILE, tee, repo.fileChunker(), 0644, clock.instant().toEpochMilli() * 1_000_000);
            } catch (IOException e) {
                throw new LifeboatException(ErrorCode.SOURCE_UNREACHABLE, ErrorCode.SOURCE_UNREACHABLE.format("Redis at " + source,
                        "the RDB transfer broke off: " + e.getMessage()), "Nothing was saved; run the backup again.", e);
            }
            RdbSummary rdb = await(parsed);
            BlobSink.Stats content = sink.stats();
            List<String> ids = tree.finish();
            BlobSink.Stats stats = sink.finish();
            Map<String, String> l = new LinkedHashMap<>(labels);
            l.put("source", source.toString());
            l.put("source_role", info.text("role"));
            l.put("redis_version", info.text("redis_version"));
            l.put("rdb_version", Integer.toString(rdb.version()));
            l.put("rdb_bytes", Long.toString(length));
            l.put("checksum", rdb.checksum());
            l.put("keys", Long.toString(rdb.keys()));
            l.put("expires", Long.toString(rdb.expires()));
            l.put("keys_per_db", rdb.keysPerDb().entrySet().stream().map(e -> "db" + e.getKey() + "=" + e.getValue())
                    .collect(Collectors.joining(",")));
            l.put("types", rdb.types().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(",")));
            l.put("functions", Integer.toString(rdb.functions()));
            l.put("used_memory", rdb.aux().getOrDefault("used-mem", info.text("used_memory")));
            l.put("replication_id", transfer.replicationId());
            l.put("replication_offset", Long.toString(transfer.offset()));
            SnapshotManifest manifest = new SnapshotManifest(SnapshotManifest.FORMAT, started.toString(), clock.instant().toString(),
                    DirectoryBackup.hostname(), "redis", name, source.toString(), List.of(), repo.fileChunker().describe(), ids,
                    new SnapshotManifest.Stats(1, 0, length, content.newBytes(), stats.storedBytes(), content.chunks(), content.newChunks(),
                            (System.nanoTime() - t0) / 1_000_000),
                    l);
            return repo.snapshots().save(manifest);
        } catch (IOException e) {
            throw new LifeboatException(ErrorCode.USAGE, "cannot stage the backup: " + e.getMessage(),
                    "Check free space in " + System.getProperty("java.io.tmpdir") + ".", e);
        }
    }

    private static RdbSummary await(CompletableFuture<RdbSummary> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LifeboatException(ErrorCode.INTERRUPTED, "interrupted during the Redis backup", null, e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof LifeboatException l) {
                throw l;
            }
            throw new LifeboatException(ErrorCode.RDB_INVALID, "the RDB could not be read: " + e.getCause(), null, e.getCause());
        }
    }

    /** Passes bytes through and copies them to a second stream, which is closed at the end of the first. */
    static final class Tee extends BulkInputStream {
        private final InputStream in;
        private final PipedOutputStream copy;
        private boolean copyBroken;

        Tee(InputStream in, PipedOutputStream copy) {
            this.in = in;
            this.copy = copy;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0 && !copyBroken) {
                try {
                    copy.write(b, off, n);
                } catch (IOException e) {
                    // The parser stopped early (a damaged RDB); its own error is reported once the transfer ends.
                    copyBroken = true;
                }
            } else if (n < 0) {
                copy.close();
            }
            return n;
        }

        @Override
        public void close() throws IOException {
            copy.close();
            in.close();
        }
    }
}
