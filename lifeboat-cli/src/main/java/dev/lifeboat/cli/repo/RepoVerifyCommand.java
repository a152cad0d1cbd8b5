package dev.lifeboat.cli.repo;

import dev.lifeboat.cli.RepositoryAccess;
import dev.lifeboat.cli.output.Json;
import dev.lifeboat.cli.output.ProgressBar;
import dev.lifeboat.cli.output.Sizes;
import dev.lifeboat.core.error.ErrorCode;
import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.check.Finding;
import dev.lifeboat.repository.check.RepositoryVerifier;
import dev.lifeboat.repository.check.VerifyReport;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import dev.lifeboat.cli.output.Output;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code lifeboat repo verify [--deep]}. */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Check the repository.",
                "",
                "Without --deep: every snapshot and index opens and authenticates, every chunk a snapshot needs is "
                + "indexed, and every pack it is in exists and is long enough. With --deep: every pack is also read, "
                + "its SHA-256 name checked, and every chunk decrypted and checked against its id.",
                "Each problem names the object and every snapshot it affects."},
        footer = {"", "Exit status: 0 the repository verifies; 80 problems were found (verify-failed)."})
public final class RepoVerifyCommand implements Callable<Integer> {
    @Mixin
    RepositoryAccess access;

    @Option(names = "--deep", description = "Read, decrypt and check every object.")
    boolean deep;

    @Mixin
    Output output;


    @Override
    public Integer call() {
        Repository repo = access.open();
        ProgressBar bar = output.progress("verify");
        VerifyReport r;
        // A prune running meanwhile would make packs vanish mid-check, reported as damage: hold the shared lock.
        try (dev.lifeboat.cli.ReadLock lock = dev.lifeboat.cli.ReadLock.take(repo, "repo verify", output::decision)) {
            r = new RepositoryVerifier(repo).run(deep, bar);
        } finally {
            bar.done();
        }
        PrintWriter out = output.out();
        if (output.json()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("ok", r.ok());
            m.put("deep", r.deep());
            m.put("snapshots", r.snapshots());
            m.put("indexes", r.indexes());
            m.put("packs", r.packs());
            m.put("chunks", r.blobs());
            m.put("bytes_read", r.bytesRead());
            m.put("problems", r.problems());
            m.put("notes", r.notes());
            out.println(Json.write(m));
        } else {
            out.printf("Checked %d snapshot(s), %d index object(s), %d pack(s), %d chunk(s)%s.%n", r.snapshots(), r.indexes(), r.packs(),
                    r.blobs(), r.deep() ? ", read " + Sizes.bytes(r.bytesRead()) + " and decrypted every chunk" : " (structure only; --deep reads everything)");
            for (Finding f : r.problems()) {
                out.println("PROBLEM " + f.object() + ": " + f.problem()
                        + (f.snapshots().isEmpty() ? "" : "\n        affects snapshot(s): " + String.join(", ", f.snapshots())));
            }
            r.notes().forEach(n -> out.println("note: " + n));
            out.println(r.ok() ? "The repository verifies." : r.problems().size() + " problem(s) found [" + ErrorCode.VERIFY_FAILED.label() + "].");
        }
        return r.ok() ? 0 : ErrorCode.VERIFY_FAILED.exitStatus();
    }
}
