package dev.lifeboat.cli.backups;

import dev.lifeboat.cli.RepositoryAccess;
import dev.lifeboat.cli.output.Output;
import dev.lifeboat.cli.output.Sizes;
import dev.lifeboat.cli.output.Table;
import dev.lifeboat.postgres.check.FullVerification;
import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.Snapshot;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code lifeboat backups list}: PostgreSQL base backups with their WAL positions. */
@Command(name = "list", mixinStandardHelpOptions = true, description = {"List PostgreSQL base backups, oldest first: times, LSNs, timeline, sizes, and verification.",
                "",
                "VERIFIED is the time of the cluster's last passed 'verify --full' on that backup, FAILED the time of a later "
                        + "attempt on it that did not pass (--json says why), - never verified."})
public final class BackupsListCommand implements Callable<Integer> {
    @Mixin
    RepositoryAccess access;

    @Mixin
    Output output;

    @Option(names = "--cluster", paramLabel = "NAME", description = "Only backups of this cluster.")
    String cluster;

    @Override
    public Integer call() {
        Repository repo = access.open();
        List<Snapshot> backups = repo.snapshots().list().stream().filter(s -> "postgres".equals(s.manifest().kind()))
                .filter(s -> cluster == null || cluster.equals(s.manifest().name())).toList();
        List<Object> json = new ArrayList<>();
        Map<String, Optional<FullVerification.Result>> verifications = new java.util.HashMap<>();
        Map<String, Optional<FullVerification.Result>> attempts = new java.util.HashMap<>();
        Table t = new Table("ID", "CLUSTER", "STARTED (UTC)", "ENDED (UTC)", "START LSN", "STOP LSN", "TL", "SIZE", "STORED NEW", "VERIFIED");
        for (Snapshot s : backups) {
            Map<String, String> l = s.manifest().labels();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", s.id());
            m.put("cluster", s.manifest().name());
            m.put("started", s.manifest().time());
            m.put("ended", s.manifest().ended());
            m.putAll(l);
            m.put("bytes", s.manifest().stats().bytes());
            m.put("stored_bytes", s.manifest().stats().storedBytes());
            Optional<FullVerification.Result> v = verifications.computeIfAbsent(s.manifest().name(), c -> new FullVerification(repo).last(c))
                    .filter(r -> r.backup().equals(s.id()));
            // A later failed attempt on this backup (amcheck found corruption, replay stopped short) is shown, not hidden.
            Optional<FullVerification.Result> failed = attempts.computeIfAbsent(s.manifest().name(), c -> new FullVerification(repo).lastAttempt(c))
                    .filter(r -> r.backup().equals(s.id()) && !r.ok() && v.map(ok -> java.time.Instant.parse(r.verifiedAt()).isAfter(java.time.Instant.parse(ok.verifiedAt()))).orElse(true));
            m.put("verified", v.map(r -> r.verifiedAt() + ", recovery point " + r.recoveryPoint()).orElse(null));
            m.put("verification_failed", failed.map(r -> r.verifiedAt() + ": " + (r.replayShortfall() != null && !r.replayShortfall().isEmpty()
                    ? r.replayShortfall() : r.method().tool() + ": " + r.amcheckOutput())).orElse(null));
            json.add(m);
            t.row(s.shortId(), s.manifest().name(), trim(s.manifest().time()), trim(s.manifest().ended()), l.get("start_lsn"), l.get("stop_lsn"),
                    l.get("timeline"), Sizes.bytes(s.manifest().stats().bytes()), Sizes.bytes(s.manifest().stats().storedBytes()),
                    failed.map(r -> "FAILED " + trim(r.verifiedAt())).orElseGet(() -> v.map(r -> trim(r.verifiedAt())).orElse("-")));
        }
        output.emit(json, () -> t.render() + backups.size() + " backup(s).\n");
        return 0;
    }

    private static String trim(String time) {
        return time.replace('T', ' ').replaceAll("\\.\\d+Z$", "Z");
    }
}
