package dev.lifeboat.cli.restore;

import dev.lifeboat.cli.RepositoryAccess;
import dev.lifeboat.cli.output.Json;
import dev.lifeboat.cli.output.ProgressBar;
import dev.lifeboat.cli.output.Sizes;
import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.Snapshot;
import dev.lifeboat.repository.files.DeltaRestore;
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
        description = {"Restore a directory snapshot into a new or empty directory, or with --delta into an existing copy.",
                "",
                "Every chunk is authenticated and checked against its id before it is written; a file is renamed into "
                + "place only once complete, so a damaged chunk stops the restore without leaving wrong content.",
                "",
                "--delta brings an existing directory to the snapshot's state: each chunk range of each file is "
                + "compared by keyed hash (never by size or time) and only differing ranges are fetched and written in "
                + "place; files and directories the snapshot does not have are REMOVED. Run it with --dry-run first: it "
                + "prints what would be fetched and removed and changes nothing."},
        footer = {"", "Exit status: 0 restored (or planned); 2 bad arguments or a non-empty target without --delta; "
                + "74 a damaged object."})
public final class RestoreDirCommand implements Callable<Integer> {
    @Mixin
    RepositoryAccess access;

    @Option(names = "--snapshot", required = true, paramLabel = "ID", description = "Snapshot id (8 characters suffice) or 'latest'.")
    String snapshot;

    @Option(names = "--name", paramLabel = "NAME", description = "With 'latest': the newest snapshot of this name; with an id: refuse a snapshot of another name.")
    String name;

    @Option(names = "--to", required = true, paramLabel = "PATH", description = "Target directory; must be new or empty unless --delta.")
    Path target;

    @Option(names = "--delta", description = "Restore into an existing copy: fetch only what differs, remove what the snapshot lacks.")
    boolean delta;

    @Option(names = "--dry-run", description = "With --delta: report what would be fetched and removed, change nothing.")
    boolean dryRun;

    @Mixin
    Output output;


    @Override
    public Integer call() {
        Repository repo = access.open();
        try (dev.lifeboat.cli.ReadLock lock = dryRun ? dev.lifeboat.cli.ReadLock.none()
                : dev.lifeboat.cli.ReadLock.take(repo, "restore dir " + snapshot, output::decision)) {
            return restore(repo);
        }
    }

    private int restore(Repository repo) {
        Snapshot s = repo.snapshots().find(snapshot, Optional.ofNullable(name));
        if (dryRun && !delta) {
            throw new dev.lifeboat.core.error.LifeboatException(dev.lifeboat.core.error.ErrorCode.USAGE,
                    "--dry-run goes with --delta", "A restore into a new directory changes nothing else; run it without --dry-run.");
        }
        if (delta) {
            return delta(repo, s);
        }
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

    private int delta(Repository repo, Snapshot s) {
        ProgressBar bar = output.progress(dryRun ? "compare" : "restore");
        DeltaRestore.Result r;
        try {
            DeltaRestore restore = new DeltaRestore(repo);
            r = (dryRun ? restore.dryRun() : restore).run(s, target, bar);
        } finally {
            bar.done();
        }
        if (output.json()) {
            output.out().println(Json.write(Map.of("snapshot", s.id(), "target", target.toString(), "files", r.files(),
                    "reusedBytes", r.reusedBytes(), "fetchedBytes", r.fetchedBytes(), "removed", r.removed(),
                    "removedPaths", r.removedPaths(), "dryRun", r.dryRun())));
            return 0;
        }
        output.out().printf("%s snapshot %s (%s, %s) into %s: %d file(s); %s already in place, %s %s; %d path(s) %s.%n",
                dryRun ? "Delta restore would bring" : "Delta-restored", s.shortId(), s.manifest().name(), s.manifest().time(), target,
                r.files(), Sizes.bytes(r.reusedBytes()), Sizes.bytes(r.fetchedBytes()), dryRun ? "to fetch" : "fetched",
                r.removed(), dryRun ? "to remove" : "removed");
        r.removedPaths().forEach(p -> output.out().println((dryRun ? "  would remove " : "  removed ") + p));
        if (r.removed() > r.removedPaths().size()) {
            output.out().printf("  … and %d more%n", r.removed() - r.removedPaths().size());
        }
        return 0;
    }
}
