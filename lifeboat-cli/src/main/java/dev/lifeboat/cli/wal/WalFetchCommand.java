package dev.lifeboat.cli.wal;

import dev.lifeboat.cli.RepositoryAccess;
import dev.lifeboat.core.error.LifeboatException;
import dev.lifeboat.postgres.fetch.PrefetchCache;
import dev.lifeboat.postgres.fetch.WalFetch;
import dev.lifeboat.postgres.wal.WalArchive;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code lifeboat wal fetch %f %p}: restore_command. */
@Command(name = "fetch", mixinStandardHelpOptions = true,
        description = {"Copy one archived WAL file to where PostgreSQL asks for it: restore_command = 'lifeboat wal fetch --cluster NAME %f %p'.",
                "",
                "Serves whole segments, a partial last segment padded to the segment size, and timeline history files. "
                        + "After a whole segment it reads the next --prefetch segments into --cache in parallel, so the following "
                        + "calls only move a file and replay does not wait on the repository. PostgreSQL runs the command as its "
                        + "own user: the plan and the passphrase source must be readable by it (e.g. LIFEBOAT_CONFIG in the "
                        + "command, the passphrase as {file: ...})."},
        footer = {"", "Exit status: 0 the file was written; 1 the repository does not have it (PostgreSQL then ends recovery or tries "
                + "another timeline, as with any restore_command); 126 the repository has or may have it but it could not be read "
                + "(unreachable store, wrong key, a damaged object): PostgreSQL stops recovery instead of ending it early and "
                + "promoting without that WAL. On a standby (standby.signal in the data directory) such a failure exits 1 instead, "
                + "and PostgreSQL retries later. A usage error (a mistyped option) exits 126 everywhere, a standby included."})
public final class WalFetchCommand implements Callable<Integer> {
    /** An exit status PostgreSQL takes as "the command could not run": it stops recovery rather than ending it. */
    static final int STOP_RECOVERY = 126;

    @Mixin
    RepositoryAccess access;

    @Option(names = "--cluster", required = true, paramLabel = "NAME", description = "The cluster whose WAL to read.")
    String cluster;

    @Option(names = "--prefetch", paramLabel = "N", description = "Segments to read ahead (default 8; 0 for none).")
    int prefetch = 8;

    @Option(names = "--cache", paramLabel = "DIR", description = "Under which directory prefetched segments wait (default: the JVM's java.io.tmpdir, /tmp), in "
            + "lifeboat-wal-USER/CLUSTER-SYSTEMID, a directory only this user can read, named after the system identifier in the data "
            + "directory's pg_control so that another system's leftovers are never served.")
    Path cache;

    @Option(names = "--segment-size", paramLabel = "BYTES", description = "The cluster's WAL segment size (default: read from each "
            + "segment's first page header, where PostgreSQL records it).")
    long segmentSize;

    @Parameters(index = "0", paramLabel = "WALFILE", description = "The file PostgreSQL asks for (%f).")
    String walFile;

    @Parameters(index = "1", paramLabel = "DEST", description = "Where to write it (%p).")
    Path destination;

    @Override
    public Integer call() {
        WalFetch.Source source;
        try {
            PrefetchCache.Choice dir = PrefetchCache.under(cache != null ? cache : Path.of(System.getProperty("java.io.tmpdir")), cluster, dataDirectory());
            if (dir.directory().isEmpty() && prefetch > 0) {
                System.err.println("lifeboat wal fetch: " + dir.why());
            }
            source = new WalFetch(() -> new WalArchive(access.open(), cluster), segmentSize, dir.directory()).fetch(walFile, destination,
                    dir.directory().isPresent() ? prefetch : 0);
        } catch (RuntimeException | Error e) {
            // Exit 1 would tell PostgreSQL "no such file": archive recovery would end here and promote without the WAL
            // that follows. Any other failure must stop recovery instead (an exit status above 125 does), except on a
            // standby, which retries restore_command until it works.
            boolean standby = Files.exists(dataDirectory().resolve("standby.signal"));
            String why = e instanceof LifeboatException l ? l.getMessage() + " [" + l.code().id() + "]" : e.toString();
            System.err.println("lifeboat wal fetch: " + walFile + " could not be read: " + why
                    + (standby ? "; the standby will ask again" : "; stopping recovery (exit " + STOP_RECOVERY + ") rather than ending it "
                    + "before this WAL. Fix the cause and start PostgreSQL again."));
            return standby ? 1 : STOP_RECOVERY;
        }
        // One line per call, into PostgreSQL's log: where each file came from.
        System.err.println("lifeboat wal fetch: " + walFile + switch (source) {
            case PREFETCHED -> " from the prefetch directory";
            case REPOSITORY -> " from the repository";
            case PARTIAL -> " from the repository (the partial last segment, padded)";
            case MISSING -> " is not in the repository";
        });
        return source == WalFetch.Source.MISSING ? 1 : 0;
    }

    /** PostgreSQL runs restore_command in its data directory and asks for {@code pg_wal/RECOVERYXLOG}-like paths. */
    private Path dataDirectory() {
        Path parent = destination.toAbsolutePath().getParent();
        return parent != null && parent.getParent() != null ? parent.getParent() : Path.of("").toAbsolutePath();
    }
}
