package dev.lifeboat.cli.restore;

import dev.lifeboat.cli.RepositoryAccess;
import dev.lifeboat.cli.output.Output;
import dev.lifeboat.cli.output.ProgressBar;
import dev.lifeboat.cli.output.Sizes;
import dev.lifeboat.core.error.ErrorCode;
import dev.lifeboat.core.error.LifeboatException;
import dev.lifeboat.postgres.tablespace.Tablespace;
import dev.lifeboat.postgres.tablespace.TablespacePlacement;
import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.Snapshot;
import dev.lifeboat.repository.files.DirectoryRestore;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code lifeboat restore postgres}: a base backup into a new data directory. */
@Command(name = "postgres", mixinStandardHelpOptions = true,
        description = {"Restore a PostgreSQL base backup into a new or empty data directory.",
                "",
                "The directory then holds the data files, backup_label and the WAL the backup needs: start PostgreSQL on "
                        + "it (after setting port and paths in postgresql.conf if the original server still runs) and it "
                        + "replays to the end of the backup. Point-in-time recovery is 'lifeboat recover'.",
                "",
                "Tablespaces go beside the new data directory, in DIR.tablespaces/OID linked from pg_tblspc, unless "
                        + "--tablespace-map puts them elsewhere: a restore never writes to the original tablespace locations."})
public final class RestorePostgresCommand implements Callable<Integer> {
    @Mixin
    RepositoryAccess access;

    @Mixin
    Output output;

    @Option(names = "--snapshot", required = true, paramLabel = "ID", description = "Snapshot id (8 characters suffice) or 'latest'.")
    String snapshot;

    @Option(names = "--name", paramLabel = "NAME", description = "With 'latest': the newest snapshot of this cluster; with an id: refuse a snapshot of another cluster.")
    String name;

    @Option(names = "--to", required = true, paramLabel = "DIR", description = "Target data directory; must be new or empty.")
    Path target;

    @Option(names = "--tablespace-map", paramLabel = "NAME=DIR", description = "Put tablespace NAME (or OID) in DIR, new or empty, "
            + "linked from pg_tblspc; repeatable. Default: DIR.tablespaces/OID beside the data directory.")
    java.util.List<String> tablespaceMap = new java.util.ArrayList<>();

    @Override
    public Integer call() {
        Repository repo = access.open();
        try (dev.lifeboat.cli.ReadLock lock = dev.lifeboat.cli.ReadLock.take(repo, "restore postgres " + snapshot, output::decision)) {
            return restore(repo);
        }
    }

    private int restore(Repository repo) {
        Snapshot s = repo.snapshots().find(snapshot, Optional.ofNullable(name));
        if (!"postgres".equals(s.manifest().kind())) {
            throw new LifeboatException(ErrorCode.USAGE, "snapshot " + s.shortId() + " is a " + s.manifest().kind() + " backup, not a PostgreSQL one",
                    "Use 'lifeboat restore dir' for directory snapshots.");
        }
        TablespacePlacement tablespaces = TablespacePlacement.of(Tablespace.of(s), tablespaceMap, target);
        dev.lifeboat.postgres.tablespace.OlderLayout.check(repo, s);
        dev.lifeboat.postgres.recovery.ServerOwner.Choice owner = dev.lifeboat.postgres.recovery.ServerOwner.choose(target, s);
        output.decision(owner.why());
        ProgressBar bar = output.progress("restore");
        try {
            new DirectoryRestore(repo).elsewhere(tablespaces.subtrees()).owners(owner.ownership()).run(s, target, bar);
        } finally {
            bar.done();
        }
        tablespaces.finish(target);
        dev.lifeboat.postgres.tablespace.OlderLayout.repair(target);
        java.util.List<String> settings = new java.util.ArrayList<>(dev.lifeboat.postgres.recovery.CopyIsolation.settings(false));
        settings.addAll(dev.lifeboat.postgres.recovery.CopyIsolation.configFiles(s.manifest().labels(), target));
        appendSettings(target, settings);
        Map<String, String> labels = s.manifest().labels();
        java.util.List<String> placed = tablespaces.describe(target);
        output.emit(Map.of("snapshot", s.id(), "target", target.toString(), "labels", labels, "tablespaces", placed,
                "settings", dev.lifeboat.postgres.recovery.CopyIsolation.settings(false)), () -> String.format(
                "Restored PostgreSQL snapshot %s (%s, %s) to %s: %s, consistent at %s on timeline %s.%n%s  settings   "
                        + dev.lifeboat.postgres.recovery.CopyIsolation.describe(false, false) + "%n"
                        + "Start it with: pg_ctl -D %s start  (as the owner of the directory; change 'port' first if the original still runs)%n",
                s.shortId(), s.manifest().name(), s.manifest().time(), target, Sizes.bytes(s.manifest().stats().bytes()), labels.get("stop_lsn"),
                labels.get("timeline"), placed.stream().map(x -> "  tablespace " + x + "\n").collect(java.util.stream.Collectors.joining()), target));
        return 0;
    }

    /** Appends to the copy's postgresql.auto.conf (which takes precedence), owned like the data directory. */
    private static void appendSettings(Path dataDir, java.util.List<String> lines) {
        Path conf = dataDir.resolve("postgresql.auto.conf");
        try {
            boolean existed = java.nio.file.Files.exists(conf);
            java.nio.file.Files.writeString(conf, "\n# lifeboat restore: a copy, not the original\n" + String.join("\n", lines) + "\n",
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            if (!existed) {
                java.nio.file.Files.setOwner(conf, java.nio.file.Files.getOwner(dataDir));
            }
            // Nothing starts the copy now (PostgreSQL would fsync its directory when it did): a power loss before the
            // user starts it must not take these lines, and the copy would start as the original, archiving included.
            dev.lifeboat.repository.store.DurableFile.syncFile(conf);
            dev.lifeboat.repository.store.DurableFile.syncDirectory(dataDir);
        } catch (java.io.IOException e) {
            throw new LifeboatException(ErrorCode.USAGE, "cannot write " + conf + ": " + e.getMessage(), "Check the permissions of the target.", e);
        }
    }
}
