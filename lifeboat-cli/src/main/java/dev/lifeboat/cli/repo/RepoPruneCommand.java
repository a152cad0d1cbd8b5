package dev.lifeboat.cli.repo;

import dev.lifeboat.cli.RepositoryAccess;
import dev.lifeboat.cli.output.Json;
import dev.lifeboat.cli.output.Sizes;
import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.prune.PrunePlan;
import dev.lifeboat.repository.retention.Decision;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import dev.lifeboat.cli.output.Output;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code lifeboat repo prune [--dry-run]}. */
@Command(name = "prune", mixinStandardHelpOptions = true,
        description = {"Forget snapshots the keep policies no longer need, and delete the data only they used.",
                "",
                "Keep rules come from --keep-* options, else from the plan: a snapshot named after a resource is kept "
                + "while any data class stored in that resource keeps it. Snapshots with no policy are all kept, and the "
                + "newest snapshot of each name is always kept. Archived WAL of a PostgreSQL cluster from before the start of "
                + "its oldest kept base backup is deleted too (the recovery window is what the kept backups reach). Takes the "
                + "exclusive lock: no backup runs meanwhile.",
                "--dry-run prints exactly what would be deleted and changes nothing."})
public final class RepoPruneCommand implements Callable<Integer> {
    @Mixin
    RepositoryAccess access;

    @Mixin
    KeepOptions keep;

    @Option(names = "--dry-run", description = "Show what would be forgotten and deleted; change nothing.")
    boolean dryRun;

    @Mixin
    Output output;


    @Override
    public Integer call() {
        Repository repo = access.open();
        RetentionRun.Outcome o = RetentionRun.apply(repo, keep.policies(access.plan()), dryRun, dryRun ? "prune --dry-run" : "prune");
        print(o.plan(), o.deleted(), o.wal(), o.retentionExtended());
        access.finishCopies(output.err(), 30_000);
        return 0;
    }

    private void print(PrunePlan plan, List<String> deleted, Map<String, List<String>> wal, int retentionExtended) {
        PrintWriter out = output.out();
        if (output.json()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("dry_run", dryRun);
            List<Object> decisions = new ArrayList<>();
            for (Decision d : plan.decisions()) {
                decisions.add(Map.of("snapshot", d.snapshot().id(), "name", d.snapshot().manifest().name(), "time",
                        d.snapshot().manifest().time(), "keep", d.keep(), "reasons", d.reasons()));
            }
            m.put("decisions", decisions);
            m.put("delete", plan.deletions());
            m.put("repack", plan.repackPacks());
            m.put("bytes_freed", plan.bytesFreed());
            m.put("unused_bytes_kept", plan.unusedBytesKept());
            Map<String, Object> left = new LinkedHashMap<>();
            left.put("count", plan.leftovers().count());
            left.put("bytes", plan.leftovers().bytes());
            left.put("problem", plan.leftovers().problem().orElse(null));
            m.put("leftovers", left);
            m.put("deleted", deleted);
            m.put("wal", wal);
            m.put("retention_extended", retentionExtended);
            out.println(Json.write(m));
            return;
        }
        for (Decision d : plan.decisions()) {
            out.printf("%s %s %-16s %s  %s%n", d.keep() ? "keep  " : "forget", d.snapshot().shortId(), d.snapshot().manifest().name(),
                    d.snapshot().manifest().time(), d.keep() ? String.join(", ", d.reasons()) : "no rule keeps it");
        }
        for (String name : plan.deletions()) {
            out.println((dryRun ? "would delete " : "deleted ") + name + (plan.repackPacks().contains(name) ? " (after copying its used chunks)" : ""));
        }
        if (!plan.leftovers().isEmpty()) {
            out.printf("%s %d leftover(s) of interrupted writes older than an hour (temporary files, unfinished uploads; %s)%n",
                    dryRun ? "would remove" : "removed", plan.leftovers().count(), Sizes.bytes(plan.leftovers().bytes()));
        }
        plan.leftovers().problem().ifPresent(p -> out.println("could not look for all leftovers of interrupted writes (" + p
                + "); the next prune tries again"));
        plan.keptOrphans().forEach(n -> out.println("kept " + n + ": in no index but younger than an hour (a backup may still be writing it)"));
        wal.forEach((cluster, objects) -> out.printf("%s %d WAL object(s) of %s from before its oldest kept base backup (%s ... %s)%n",
                dryRun ? "would delete" : "deleted", objects.size(), cluster, objects.get(0), objects.get(objects.size() - 1)));
        if (retentionExtended > 0) {
            out.printf("extended the Object Lock retention of %d object(s) still in use, written more than half a retention period ago%n",
                    retentionExtended);
        }
        out.printf("%s %d snapshot(s), %d object(s) in all; frees about %s; %s of unused data left in packs not worth repacking.%n",
                dryRun ? "Would forget" : "Forgot", plan.forget().size(), plan.deletions().size(), Sizes.bytes(plan.bytesFreed()),
                Sizes.bytes(plan.unusedBytesKept()));
    }
}
