package dev.lifeboat.cli.backup;

import dev.lifeboat.cli.RepositoryAccess;
import dev.lifeboat.cli.output.Json;
import dev.lifeboat.cli.output.ProgressBar;
import dev.lifeboat.cli.output.Sizes;
import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.Snapshot;
import dev.lifeboat.repository.SnapshotManifest;
import dev.lifeboat.repository.files.DirectoryBackup;
import dev.lifeboat.repository.lock.RepositoryLock;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import dev.lifeboat.cli.output.Output;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code lifeboat backup dir}: back up a directory tree (configuration, files). */
@Command(name = "dir", mixinStandardHelpOptions = true,
        description = {"Back up a directory tree: content, modes, times, symbolic links and empty directories.",
                "",
                "Content is split into chunks by content; chunks the repository already holds are not stored again, "
                        + "so every backup is logically full while storing only what changed."})
public final class BackupDirCommand implements Callable<Integer> {
    @Mixin
    RepositoryAccess access;

    @Option(names = "--source", required = true, paramLabel = "PATH", description = "The directory to back up.")
    Path source;

    @Option(names = "--name", required = true, paramLabel = "NAME",
            description = "The backup's name; retention groups snapshots by it (use the plan's resource name).")
    String name;

    @Option(names = "--tag", paramLabel = "TAG", description = "A label for the snapshot (repeatable).")
    List<String> tags = new ArrayList<>();

    @Option(names = "--threads", paramLabel = "N", description = "Worker threads (default: one per core).")
    int threads = Runtime.getRuntime().availableProcessors();

    @Mixin
    Output output;


    @Override
    public Integer call() {
        Repository repo = access.open();
        ProgressBar bar = output.progress("backup");
        Snapshot s;
        try (RepositoryLock lock = repo.lockShared("backup dir " + name)) {
            s = new DirectoryBackup(repo, Clock.systemUTC(), threads).run(source, name, tags, bar);
        } finally {
            bar.done();
        }
        access.finishCopies(output.err(), 30_000);
        SnapshotManifest.Stats st = s.manifest().stats();
        if (output.json()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("snapshot", s.id());
            m.put("name", name);
            m.put("time", s.manifest().time());
            m.put("stats", st);
            output.out().println(Json.write(m));
        } else {
            output.out().printf("Snapshot %s of %s: %d file(s), %d dir(s), %s; new %s stored as %s in %.1f s.%n",
                    s.shortId(), source, st.files(), st.directories(), Sizes.bytes(st.bytes()), Sizes.bytes(st.newBytes()),
                    Sizes.bytes(st.storedBytes()), st.millis() / 1000.0);
        }
        return 0;
    }
}
