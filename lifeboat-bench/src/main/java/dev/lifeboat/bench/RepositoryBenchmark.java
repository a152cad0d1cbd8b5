package dev.lifeboat.bench;

import dev.lifeboat.core.plan.Compression;
import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.RepositoryOptions;
import dev.lifeboat.repository.Snapshot;
import dev.lifeboat.repository.crypto.Credentials;
import dev.lifeboat.repository.files.DirectoryBackup;
import dev.lifeboat.repository.files.DirectoryRestore;
import dev.lifeboat.repository.files.Progress;
import dev.lifeboat.repository.store.FilesystemObjectStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Measures the repository's write path (chunk, hash, compress, encrypt, write packs) and read path (read, decrypt,
 * verify, decompress, write files) on PostgreSQL-like pages, then a second backup after changing 1 % of the pages.
 *
 * <pre>java -jar lifeboat-bench.jar WORKDIR [MiB=1024] [threads=2] [zstd level=1] [REPO_PARENT=WORKDIR]</pre>
 *
 * Put the repository on tmpfs (REPO_PARENT=/dev/shm) to measure the CPU-bound path without the disk.
 */
public final class RepositoryBenchmark {
    private RepositoryBenchmark() {
    }

    public static void main(String[] args) throws IOException {
        Path work = Path.of(args.length > 0 ? args[0] : "/tmp/lifeboat-bench");
        long mib = args.length > 1 ? Long.parseLong(args[1]) : 1024;
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        int level = args.length > 3 ? Integer.parseInt(args[3]) : 1;
        Path data = work.resolve("data");
        if (!Files.exists(data)) {
            long t = System.nanoTime();
            HeapPages.write(data, mib * 1024 * 1024, 1024L * 1024 * 1024, 42);
            System.err.printf(Locale.ROOT, "generated %d MiB of heap pages in %.1f s%n", mib, (System.nanoTime() - t) / 1e9);
        }
        long bytes = size(data);
        // -Dbench.warmup=N: N extra first backups into throw-away repositories, so the figure is for a warm JVM.
        for (int w = Integer.getInteger("bench.warmup", 0); w > 0; w--) {
            Path scratch = (args.length > 4 ? Path.of(args[4]) : work).resolve("warmup-" + System.nanoTime());
            Repository r = Repository.init(new FilesystemObjectStore(scratch), Optional.of(new Credentials.Passphrase("bench".toCharArray())),
                    RepositoryOptions.defaults().withCompression(new Compression(Compression.Algorithm.ZSTD, level)));
            long tw = System.nanoTime();
            new DirectoryBackup(r, Clock.systemUTC(), threads).run(data, "bench", List.of(), Progress.NONE);
            System.out.printf(Locale.ROOT, "write, cold JVM %.2f s  %.0f MB/s  (first backup of this process, JIT still compiling)%n",
                    (System.nanoTime() - tw) / 1e9, bytes / 1e6 / ((System.nanoTime() - tw) / 1e9));
            delete(scratch);
        }
        Path repoDir = (args.length > 4 ? Path.of(args[4]) : work).resolve("repo-" + System.nanoTime());
        Repository repo = Repository.init(new FilesystemObjectStore(repoDir), Optional.of(new Credentials.Passphrase("bench".toCharArray())),
                RepositoryOptions.defaults().withCompression(new Compression(Compression.Algorithm.ZSTD, level)));

        var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        long cpu0 = os.getProcessCpuTime();
        long t0 = System.nanoTime();
        Snapshot first = new DirectoryBackup(repo, Clock.systemUTC(), threads).run(data, "bench", List.of(), Progress.NONE);
        double write = (System.nanoTime() - t0) / 1e9;
        double cpu = (os.getProcessCpuTime() - cpu0) / 1e9;
        long stored = size(repoDir);

        long changed = HeapPages.touch(data, 0.01, System.nanoTime());
        long t1 = System.nanoTime();
        Snapshot second = new DirectoryBackup(repo, Clock.systemUTC(), threads).run(data, "bench", List.of(), Progress.NONE);
        double write2 = (System.nanoTime() - t1) / 1e9;

        Repository reader = Repository.open(repo.store(), Optional.of(new Credentials.Passphrase("bench".toCharArray())));
        // Read path without the disk: fetch, authenticate, decompress and verify every chunk of the first snapshot.
        long t3 = System.nanoTime();
        long[] verified = {0};
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
        List<java.util.concurrent.Future<Integer>> reads = new java.util.ArrayList<>();
        dev.lifeboat.repository.files.TreeReader.forEach(reader, first, e -> {
            if (e.chunks() != null) {
                for (String hex : e.chunks()) {
                    var id = dev.lifeboat.repository.chunk.ChunkId.parse(hex);
                    reads.add(pool.submit(() -> reader.readBlob(id).length));
                }
            }
        });
        for (var f : reads) {
            try {
                verified[0] += f.get();
            } catch (Exception ex) {
                throw new IllegalStateException(ex);
            }
        }
        pool.shutdown();
        double readOnly = (System.nanoTime() - t3) / 1e9;
        Path restored = work.resolve("restored-" + System.nanoTime());
        long t2 = System.nanoTime();
        new DirectoryRestore(reader, threads).run(first, restored, Progress.NONE);
        double read = (System.nanoTime() - t2) / 1e9;

        double mb = bytes / 1e6;
        System.out.printf(Locale.ROOT, "data            %.0f MB of PostgreSQL-like pages, %d thread(s), zstd level %d, AES-256-GCM%n", mb, threads, level);
        System.out.printf(Locale.ROOT, "write path      %.2f s  %.0f MB/s  (%.0f MB/s per thread; repository in %s)%n", write, mb / write,
                mb / write / threads, repoDir.getParent());
        System.out.printf(Locale.ROOT, "write CPU       %.2f core-seconds, %.2f ms per MB (%.0f%% of %d cores busy)%n", cpu, cpu * 1000 / mb,
                100 * cpu / write / Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().availableProcessors());
        System.out.printf(Locale.ROOT, "stored          %.0f MB  (ratio %.2f)%n", stored / 1e6, bytes / (double) stored);
        System.out.printf(Locale.ROOT, "second backup   %.2f s  after changing %.1f MB of pages (1 %%): stored %.1f MB new content (%.2fx the changed pages)%n",
                write2, changed / 1e6, second.manifest().stats().newBytes() / 1e6, second.manifest().stats().newBytes() / (double) changed);
        System.out.printf(Locale.ROOT, "read path       %.2f s  %.0f MB/s  (fetch, decrypt, verify, decompress; %.0f MB, not written)%n",
                readOnly, verified[0] / 1e6 / readOnly, verified[0] / 1e6);
        System.out.printf(Locale.ROOT, "restore         %.2f s  %.0f MB/s  (the read path plus writing the files to %s)%n", read, mb / read, work);
        delete(restored);
        delete(repoDir);
    }

    static long size(Path dir) throws IOException {
        try (var walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    static void delete(Path dir) throws IOException {
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
