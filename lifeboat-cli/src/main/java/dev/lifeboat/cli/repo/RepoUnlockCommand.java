package dev.lifeboat.cli.repo;

import dev.lifeboat.cli.RepositoryAccess;
import dev.lifeboat.repository.lock.RepositoryLock;
import dev.lifeboat.repository.store.ObjectStore;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine;
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

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        ObjectStore store = access.store();
        int removed = 0;
        for (RepositoryLock.Held h : RepositoryLock.all(store)) {
            if (all || RepositoryLock.isStale(h.record(), Clock.systemUTC())) {
                store.delete(h.name());
                removed++;
                spec.commandLine().getOut().println("removed " + h.name() + " (" + h.record().purpose() + ", pid " + h.record().pid()
                        + " on " + h.record().host() + ")");
            }
        }
        spec.commandLine().getOut().println(removed + " lock(s) removed.");
        return 0;
    }
}
