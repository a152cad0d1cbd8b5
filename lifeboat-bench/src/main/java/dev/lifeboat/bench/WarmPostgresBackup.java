package dev.lifeboat.bench;

import dev.lifeboat.postgres.backup.BaseBackup;
import dev.lifeboat.postgres.backup.PostgresTarget;
import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.RepositoryOptions;
import dev.lifeboat.repository.Snapshot;
import dev.lifeboat.repository.crypto.Credentials;
import dev.lifeboat.repository.files.Progress;
import dev.lifeboat.repository.store.FilesystemObjectStore;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Locale;
import java.util.Optional;

/**
 * Full PostgreSQL backups, one after the other in one JVM, each into a new repository with the defaults of
 * {@code repo init}: the first pays the JIT's compilation as a one-shot {@code lifeboat backup postgres} does; the
 * later ones run warm, as the agent's scheduled backups do. Prints the time of {@link BaseBackup#run} only (the
 * repository's key derivation is not timed).
 *
 * <pre>java -cp lifeboat-bench.jar dev.lifeboat.bench.WarmPostgresBackup JDBC_URL USER DATA_DIR WORK_DIR [rounds=3]</pre>
 */
public final class WarmPostgresBackup {
    private WarmPostgresBackup() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 4) {
            System.err.println("usage: WarmPostgresBackup JDBC_URL USER DATA_DIR WORK_DIR [rounds=3]");
            System.exit(2);
        }
        PostgresTarget target = new PostgresTarget(args[0], args[1], Optional.empty(), Path.of(args[2]));
        Path work = Path.of(args[3]);
        int rounds = args.length > 4 ? Integer.parseInt(args[4]) : 3;
        for (int i = 1; i <= rounds; i++) {
            Path dir = work.resolve("warm-repo-" + i);
            Repository repo = Repository.init(new FilesystemObjectStore(dir), Optional.of(new Credentials.Passphrase("bench".toCharArray())),
                    RepositoryOptions.defaults());
            long t = System.nanoTime();
            Snapshot s = new BaseBackup(repo, Clock.systemUTC(), Runtime.getRuntime().availableProcessors()).run(target, "bench", Progress.NONE);
            double seconds = (System.nanoTime() - t) / 1e9;
            System.out.printf(Locale.ROOT, "backup %d/%d in one JVM: %.2f s, %.0f MB stored%s%n", i, rounds, seconds,
                    s.manifest().stats().storedBytes() / 1e6, i == 1 ? " (cold: the JIT still compiling)" : " (warm)");
            RepositoryBenchmark.delete(dir);
        }
    }
}
