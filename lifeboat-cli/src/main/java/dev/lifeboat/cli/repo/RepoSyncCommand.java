package dev.lifeboat.cli.repo;

import dev.lifeboat.cli.RepositoryAccess;
import dev.lifeboat.cli.output.Json;
import dev.lifeboat.cli.output.ProgressBar;
import dev.lifeboat.cli.output.Sizes;
import dev.lifeboat.core.error.ErrorCode;
import dev.lifeboat.core.error.LifeboatException;
import dev.lifeboat.repository.region.Region;
import dev.lifeboat.repository.region.RegionSet;
import dev.lifeboat.repository.region.RegionSync;
import dev.lifeboat.repository.lock.RepositoryLock;
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

/** {@code lifeboat repo sync}: repair a region from another. */
@Command(name = "sync", mixinStandardHelpOptions = true,
        description = {"Copy to a region every object it lacks, verifying each copy (content-addressed objects must hash "
                + "to their name; a damaged source object is skipped and reported, never spread).",
                "Default: from the primary to every other region. Needs no passphrase."})
public final class RepoSyncCommand implements Callable<Integer> {
    @Mixin
    RepositoryAccess access;

    @Option(names = "--from", paramLabel = "REGION", description = "Source region (default: the primary).")
    String from;

    @Option(names = "--to", paramLabel = "REGION", description = "Target region (default: every other region).")
    String to;

    @Option(names = "--verify", description = "Also read the target's existing objects and replace damaged ones.")
    boolean verify;

    @Option(names = "--prune", description = "Also delete target objects the source does not have (deleted by prune while away). "
            + "Takes the exclusive lock. If backups committed to the target while the source was away, sync them back first "
            + "(--from TARGET --to SOURCE): the source does not have them either.")
    boolean prune;

    @Option(names = "--dry-run", description = "Say how many objects (and bytes) each target lacks and, with --prune, which it would "
            + "delete; change nothing. From the listings alone: damage is not checked.")
    boolean dryRun;

    @Mixin
    Output output;


    @Override
    public Integer call() {
        RegionSet set = access.regions().orElseThrow(() -> new LifeboatException(ErrorCode.USAGE, "the repository has a single region",
                "Give several regions (--repo a=DIR --repo b=DIR, or repository.regions in the plan)."));
        Region source = from != null ? set.region(from) : set.regions().get(0);
        List<Region> targets = to != null ? List.of(set.region(to))
                : set.regions().stream().filter(r -> !r.name().equals(source.name())).toList();
        if (dryRun) {
            return preview(source, targets);
        }
        List<Object> results = new ArrayList<>();
        boolean skippedAny = false;
        // Copies under a shared lock, so no prune deletes what is being copied; deletions under the exclusive one,
        // each checked first, so no backup commits beside them.
        try (RepositoryLock lock = prune ? RepositoryLock.exclusive(set, Clock.systemUTC(), "repo sync --prune")
                : RepositoryLock.shared(set, Clock.systemUTC(), "repo sync")) {
            for (Region target : targets) {
                ProgressBar bar = output.progress("sync " + target.name());
                RegionSync.Result r = RegionSync.run(source, target, verify, prune, bar, lock::ensureHeld);
                bar.done();
                results.add(describe(source, target, r));
                skippedAny |= !r.skipped().isEmpty();
            }
        }
        if (output.json()) {
            output.out().println(Json.write(results));
        }
        return skippedAny ? ErrorCode.OBJECT_CORRUPT.exitStatus() : 0;
    }

    private int preview(Region source, List<Region> targets) {
        List<Object> results = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        for (Region target : targets) {
            RegionSync.Preview p = RegionSync.preview(source, target, prune);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("from", source.name());
            m.put("to", target.name());
            m.put("would_copy", p.copies());
            m.put("would_copy_bytes", p.bytes());
            m.put("would_delete", p.deletions());
            results.add(m);
            text.append(String.format("%s -> %s: would copy %d object(s), %s%s%n", source.name(), target.name(), p.copies(),
                    dev.lifeboat.cli.output.Sizes.bytes(p.bytes()), prune ? "; would delete " + p.deletions().size() + " object(s)" : ""));
            p.deletions().stream().limit(20).forEach(n -> text.append("  delete ").append(n).append('\n'));
            if (p.deletions().size() > 20) {
                text.append("  … ").append(p.deletions().size() - 20).append(" more (--json lists them all)\n");
            }
        }
        text.append("Dry run: nothing changed.\n");
        output.emit(results, text::toString);
        return 0;
    }

    private Map<String, Object> describe(Region source, Region target, RegionSync.Result r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("from", source.name());
        m.put("to", target.name());
        m.put("copied", r.copied());
        m.put("bytes", r.bytes());
        m.put("repaired", r.repaired());
        m.put("deleted", r.deleted());
        m.put("skipped", r.skipped());
        if (!output.json()) {
            output.out().printf("%s -> %s: copied %d object(s) (%s), repaired %d, deleted %d%s.%n", source.name(),
                    target.name(), r.copied(), Sizes.bytes(r.bytes()), r.repaired(), r.deleted(),
                    r.skipped().isEmpty() ? "" : "; SKIPPED damaged source objects: " + String.join(", ", r.skipped()));
        }
        return m;
    }
}
