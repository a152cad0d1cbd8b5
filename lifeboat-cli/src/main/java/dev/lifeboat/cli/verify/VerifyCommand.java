package dev.lifeboat.cli.verify;

import dev.lifeboat.cli.RepositoryAccess;
import dev.lifeboat.cli.output.Output;
import dev.lifeboat.core.error.ErrorCode;
import dev.lifeboat.core.error.LifeboatException;
import dev.lifeboat.core.time.Durations;
import dev.lifeboat.postgres.check.FullVerification;
import dev.lifeboat.postgres.check.WalContinuity;
import dev.lifeboat.postgres.wal.WalArchive;
import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.Snapshot;
import dev.lifeboat.repository.check.Finding;
import dev.lifeboat.repository.check.RepositoryVerifier;
import dev.lifeboat.repository.check.VerifyReport;
import dev.lifeboat.repository.files.Progress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code lifeboat verify --quick}: the seed's backup-verification.sh --quick. */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Verify that the backups can deliver the plan's recovery points.",
                "",
                "--quick checks the repository's structure (every snapshot and index opens, every chunk a snapshot needs "
                        + "is indexed and its pack present), WAL continuity for each PostgreSQL cluster (from every backup to the "
                        + "newest archived segment, naming any gap and the backups it breaks) and freshness (the age of the "
                        + "newest archived WAL against the tightest RPO of what depends on the cluster), and for each Redis instance "
                        + "the age of its newest snapshot against the same kind of target. The report says what was "
                        + "checked. --full also restores each cluster's newest backup with all archived WAL into a scratch cluster on "
                        + "a free loopback port, lets it replay and promote, checks that replay reached the end of the archived WAL, runs "
                        + "pg_amcheck over every database (on PostgreSQL 12 and 13, which have none, amcheck's bt_index_check on every B-tree "
                        + "index through psql; as the copy's bootstrap superuser over the copy's own Unix "
                        + "socket, so the plan's role needs only REPLICATION), records the last verified recovery point in the repository when every step passed, "
                        + "and deletes the scratch cluster. A cluster of the plan without any backup is a problem; a cluster whose WAL "
                        + "has a gap is not restored (the report says so)."},
        footer = {"", "Exit status: 0 everything verifies; 80 a problem was found (verify-failed)."})
public final class VerifyCommand implements Callable<Integer> {
    @Mixin
    RepositoryAccess access;

    @Mixin
    Output output;

    @Option(names = "--quick", description = "Structure, WAL continuity and freshness (the default).")
    boolean quick;

    @Option(names = "--full", description = "Also restore each cluster's newest backup for real and run pg_amcheck on it.")
    boolean full;

    @Option(names = "--timeout", paramLabel = "DURATION", description = "Limit for each scratch recovery and pg_amcheck (default 30m).")
    String timeout = "30m";

    @Option(names = "--only", paramLabel = "KIND", description = "Only 'postgres', 'redis' or 'repository'.")
    String only;

    @Override
    public Integer call() {
        if (only != null && !List.of("postgres", "redis", "repository").contains(only)) {
            throw new LifeboatException(ErrorCode.USAGE, "--only takes postgres, redis or repository, not '" + only + "'", null);
        }
        if (quick && full) {
            throw new LifeboatException(ErrorCode.USAGE, "--quick and --full exclude each other (--full runs the quick checks too)", null);
        }
        Repository repo = access.open();
        Verification.Report report;
        // Under the shared lock: a prune running meanwhile would make packs and WAL vanish mid-check, reported as damage.
        try (dev.lifeboat.cli.ReadLock lock = dev.lifeboat.cli.ReadLock.take(repo, "verify", output::decision)) {
            report = Verification.run(access, repo, full, Optional.ofNullable(only), Durations.parse(timeout));
        }
        List<String> checked = report.checked();
        List<String> problems = report.problems();
        Map<String, Object> json = report.json();
        output.emit(json, () -> {
            StringBuilder b = new StringBuilder(full ? "Checked (full):\n" : "Checked (quick):\n");
            checked.forEach(c -> b.append("  ").append(c).append('\n'));
            problems.forEach(p -> b.append("PROBLEM ").append(p).append('\n'));
            b.append(problems.isEmpty() ? "Everything verifies.\n" : problems.size() + " problem(s) [" + ErrorCode.VERIFY_FAILED.label() + "].\n");
            return b.toString();
        });
        return problems.isEmpty() ? 0 : ErrorCode.VERIFY_FAILED.exitStatus();
    }
}
