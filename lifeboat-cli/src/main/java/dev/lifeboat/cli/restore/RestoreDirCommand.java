package dev.lifeboat.cli.restore;

import dev.lifeboat.cli.RepositoryAccess;
import dev.lifeboat.cli.output.Json;
import dev.lifeboat.cli.output.ProgressBar;
import dev.lifeboat.cli.output.Sizes;
import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.Snapshot;
import dev.lifeboat.repository.files.DirectoryRestore;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import dev.lifeboat.cli.output.Output;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code lifeboat restore dir}. */
@Command(name = "dir", mixinStandardHelpOptions = true,
        description = {"Restore a directory snapshot into a new or empty directory.",
                "",
                "Every chunk is authenticated and checked against its id before it is written; a file is renamed into "
                + "place only once complete, so a damaged chunk stops the restore without leaving wrong content."})
public final class RestoreDirCommand implements Callable<Integer> {
    @Mixin
    RepositoryAccess access;

    @Option(names = "--snapshot", required = true, paramLabel = "ID", description = "Snapshot id (8 characters suffice) or 'latest'.")
    String snapshot;

    @Option(names = "--name", paramLabel = "NAME", description = "With 'latest': the newest snapshot of this name.")
    String name;

    @Option(names = "--to", required = true, paramLabel = "PATH", description = "Target directory; must be new or empty.")
    Path target;

    @Mixin
    Output output;


    @Override
    public Integer call() {
        Repository repo = access.open();
        Snapshot s = repo.snapshots().find(snapshot, Optional.ofNullable(name));
        ProgressBar bar = output.progress("restore");
        long files;
        try {
            files = new DirectoryRestore(repo).run(s, target, bar);
        } finally {
            bar.done();
        }
        if (output.json()) {
            output.out().println(Json.write(Map.of("snapshot", s.id(), "target", target.toString(), "files", files,
                    "bytes", s.manifest().stats().bytes())));
        } else {
            output.out().printf("Restored snapshot %s (%s, %s) to %s: %d file(s), %s.%n", s.shortId(), s.manifest().name(),
                    s.manifest().time(), target, files, Sizes.bytes(s.manifest().stats().bytes()));
        }
        return 0;
    }
}
