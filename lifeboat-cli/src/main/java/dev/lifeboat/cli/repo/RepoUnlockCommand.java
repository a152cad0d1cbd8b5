package dev.lifeboat.cli.repo;

import dev.lifeboat.cli.RepositoryAccess;
import dev.lifeboat.repository.lock.RepositoryLock;
import dev.lifeboat.repository.store.ObjectStore;
import java.time.Clock;
import java.util.concurrent.Callable;
import dev.lifeboat.cli.output.Output;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code lifeboat repo unlock}. */
@Command(name = "unlock", mixinStandardHelpOptions = true,
        description = "Remove stale locks (holder gone, or not refreshed for 30 minutes); --all removes every lock.")
public final class RepoUnlockCommand implements Callable<Integer> {
    @Mixin
    RepositoryAccess access;

    @Option(names = "--all", description = "Also remove live locks. Only when you are sure their holders are gone.")
    boolean all;

    @Option(names = "--dry-run", description = "List the locks that would be removed, and remove nothing.")
    boolean dryRun;

    @Mixin
    Output output;

    @Override
    public Integer call() {
        ObjectStore store = access.store();
        java.util.List<String> removed = new java.util.ArrayList<>();
        StringBuilder text = new StringBuilder();
        for (RepositoryLock.Held h : RepositoryLock.all(store, true)) {
            if (all || RepositoryLock.isStale(h.record(), Clock.systemUTC())) {
                if (!dryRun) {
                    store.delete(h.name());
                }
                removed.add(h.name());
                text.append(dryRun ? "would remove " : "removed ").append(h.name()).append(" (").append(h.record().purpose()).append(", pid ")
                        .append(h.record().pid()).append(" on ").append(h.record().host()).append(")\n");
            }
        }
        output.emit(java.util.Map.of(dryRun ? "would_remove" : "removed", removed, "dry_run", dryRun),
                () -> text.toString() + removed.size() + (dryRun ? " lock(s) would be removed (dry run: nothing changed).\n" : " lock(s) removed.\n"));
        return 0;
    }
}
