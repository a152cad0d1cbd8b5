package dev.lifeboat.cli.status;

import dev.lifeboat.cli.RepositoryAccess;
import dev.lifeboat.cli.output.Output;
import dev.lifeboat.core.error.ErrorCode;
import dev.lifeboat.core.error.LifeboatException;
import dev.lifeboat.core.plan.Endpoint;
import dev.lifeboat.core.plan.Job;
import dev.lifeboat.core.plan.Plan;
import dev.lifeboat.core.plan.PostgresCluster;
import dev.lifeboat.core.plan.RpoTarget;
import dev.lifeboat.core.plan.Schedule;
import dev.lifeboat.core.plan.WalSource;
import dev.lifeboat.core.time.Durations;
import dev.lifeboat.postgres.check.WalContinuity;
import dev.lifeboat.postgres.stream.ServerView;
import dev.lifeboat.postgres.stream.Upstream;
import dev.lifeboat.postgres.stream.WalProtection;
import dev.lifeboat.postgres.stream.WalReceiver;
import dev.lifeboat.postgres.wal.WalArchive;
import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.Snapshot;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code lifeboat status}: is WAL reaching the repository as the plan needs, right now. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = {"Show how each PostgreSQL cluster's WAL protection stands now: the recovery point lag against the plan's RPO.",
                "",
                "For every cluster a 'wal' schedule covers (or --cluster), asks the server and the repository: the recovery point lag "
                        + "(how old the newest WAL is that a crash of the primary would lose now; 0 when the agent has confirmed "
                        + "everything, since it confirms WAL only once it is durable in the repository), whether the agent is "
                        + "streaming, how much pg_wal its replication slot holds back and whether the server will keep it "
                        + "(max_slot_wal_keep_size), or for archive_command users the archiver's last success and failure; and "
                        + "the newest WAL and backup in the repository. Each problem is named with what to do. The agent's own "
                        + "view, updated every second, is its --metrics-file."},
        footer = {"", "Exit status: 0 every cluster is protected within its RPO; 98 a problem was found (protection-degraded)."})
public final class StatusCommand implements Callable<Integer> {
    @Mixin
    RepositoryAccess access;

    @Mixin
    Output output;

    @Option(names = "--cluster", paramLabel = "NAME", description = "Only this PostgreSQL cluster of the plan.")
    String cluster;

    @Override
    public Integer call() {
        Plan plan = access.plan().orElseThrow(() -> new LifeboatException(ErrorCode.CONFIG_NOT_FOUND,
                ErrorCode.CONFIG_NOT_FOUND.format("lifeboat.yaml"), "Status is read against a plan: pass --config FILE or set LIFEBOAT_CONFIG."));
        Map<String, WalProtection.Mode> modes = modes(plan);
        if (cluster != null) {
            if (!plan.resources().postgres().containsKey(cluster)) {
                throw new LifeboatException(ErrorCode.USAGE, "no PostgreSQL cluster '" + cluster + "' in the plan",
                        "Its clusters: " + plan.resources().postgres().keySet() + ".");
            }
            modes.keySet().retainAll(List.of(cluster));
            modes.putIfAbsent(cluster, WalProtection.Mode.NONE);
        }
        if (modes.isEmpty()) {
            throw new LifeboatException(ErrorCode.USAGE, "no 'wal' schedule in the plan covers a PostgreSQL cluster",
                    "Add one, e.g. wal-shipping: {job: wal, resources: [app-db], max-lag: 1m}, or name a cluster with --cluster.");
        }
        Optional<Repository> repo;
        Optional<String> repoError = Optional.empty();
        // Without the passphrase or key file (a monitoring host need not hold it) the store's listing still tells the
        // newest WAL's age; backups and WAL gaps need the key and are left to 'verify --quick'.
        // Keyless when this host holds no key (the plan's secret source is absent here); a --passphrase-file or
        // --key-file given but unreadable or empty is an error to show, not a reason to check less.
        Optional<dev.lifeboat.repository.store.ObjectStore> keyless = Optional.empty();
        access.answerQuickly(); // a monitoring check has a timeout of its own: a store that does not answer is the answer
        try {
            repo = Optional.of(access.open());
        } catch (LifeboatException e) {
            repo = Optional.empty();
            if (e.code() == ErrorCode.KEY_REQUIRED && !access.credentialGiven()) {
                try {
                    keyless = Optional.of(access.store());
                } catch (RuntimeException storeFailure) { // e.g. an Azure region without its account key
                    repoError = Optional.of(storeFailure.getMessage());
                }
            } else {
                repoError = Optional.of(e.getMessage());
            }
        }
        Optional<dev.lifeboat.repository.store.ObjectStore> walObjects = repo.isPresent() ? repo.map(Repository::store) : keyless;
        Instant now = Instant.now();
        List<Object> clusters = new ArrayList<>();
        List<String> text = new ArrayList<>();
        boolean ok = true;
        for (Map.Entry<String, WalProtection.Mode> e : modes.entrySet()) {
            String name = e.getKey();
            PostgresCluster c = plan.resources().postgres().get(name);
            Optional<ServerView> view = Optional.empty();
            Optional<String> serverError = Optional.empty();
            String slot = WalReceiver.slotName(name);
            Optional<Upstream> upstream = Optional.empty();
            boolean promotedSource = false;
            WalSource source;
            try {
                source = e.getValue() == WalProtection.Mode.STREAMING ? WalSource.of(plan, name) : new WalSource(name, Optional.empty(), c.primary());
            } catch (IllegalArgumentException ex) {
                source = new WalSource(name, Optional.empty(), c.primary());
                serverError = Optional.of(ex.getMessage() + " (see lifeboat plan check)");
            }
            if (serverError.isEmpty()) {
                // The agent's slot and walsender live on the server it streams from: the primary, or the schedule's replica.
                try (Connection conn = connect(c, source.endpoint(), access.postgresPassword(name))) {
                    view = Optional.of(ServerView.read(conn, slot, WalReceiver.applicationName(slot)));
                    if (source.standby() && view.get().inRecovery()) {
                        upstream = Optional.of(upstream(source, c, conn, view.get(), access.postgresPassword(name)));
                    } else if (source.standby()) {
                        promotedSource = true;
                    }
                } catch (SQLException | RuntimeException ex) { // an unreadable password secret too: one cluster, not all
                    serverError = Optional.of(ex.getMessage());
                }
            }
            Optional<Instant> newestWal = Optional.empty();
            List<Snapshot> backups = List.of();
            Optional<String> repoProblem = Optional.empty();
            try {
                newestWal = walObjects.flatMap(st -> WalArchive.newestObjectTime(st, name));
                backups = repo.map(r -> r.snapshots().list().stream()
                        .filter(s -> "postgres".equals(s.manifest().kind()) && name.equals(s.manifest().name()))
                        .sorted(java.util.Comparator.comparing(s -> s.manifest().time())).toList()).orElse(List.of());
            } catch (RuntimeException ex) {
                repoProblem = Optional.of("the repository's WAL and backups of " + name + " cannot be listed (" + ex.getMessage() + ")");
            }
            Optional<Snapshot> newestBackup = backups.isEmpty() ? Optional.empty() : Optional.of(backups.get(backups.size() - 1));
            List<Snapshot> all = backups;
            Optional<Duration> target = Optional.of(RpoTarget.orObjective(plan, name));
            WalProtection.Assessment a = WalProtection.assess(e.getValue(), view, serverError, newestWal, target, now, upstream);
            List<String> notes = new ArrayList<>(a.notes());
            if (keyless.isPresent()) {
                notes.add("no passphrase or key file: the newest WAL's age comes from the store's listing; backups and WAL gaps "
                        + "are not checked (verify --quick does, with the key)");
            }
            if (promotedSource) {
                notes.add(source.describe() + ", which the agent streams from, is no longer in recovery (promoted?): the agent streams "
                        + "from it as a primary; update the plan's primary and replicas");
            }
            a = new WalProtection.Assessment(a.rpoLag(), a.basis(), a.problems(), notes);
            List<String> problems = new ArrayList<>(a.problems());
            repoProblem.ifPresent(problems::add);
            if (e.getValue() == WalProtection.Mode.NONE && repoProblem.isEmpty() && repoError.isEmpty()) {
                // No WAL reaches the repository: only base backups protect the cluster, and the recovery point is the newest.
                if (repo.isEmpty()) {
                    problems.add("no 'wal' schedule covers " + name + ", so only its base backups protect it, and without the key "
                            + "their age cannot be read");
                } else if (newestBackup.isEmpty()) {
                    problems.add("no 'wal' schedule covers " + name + " and it has no base backup: nothing of it can be recovered");
                } else if (Duration.between(newestBackup.get().time(), now).compareTo(target.get()) > 0) {
                    problems.add("no 'wal' schedule covers " + name + ": its recovery point is its newest base backup, "
                            + dev.lifeboat.core.time.Durations.format(Duration.between(newestBackup.get().time(), now).withNanos(0))
                            + " old, more than the RPO target " + dev.lifeboat.core.time.Durations.format(target.get()));
                }
            }
            if (e.getValue() != WalProtection.Mode.NONE && repo.isPresent() && repoProblem.isEmpty()) {
                try {
                    problems.addAll(gapsAfterNewestBackup(repo.get(), name, all, now));
                } catch (RuntimeException ex) {
                    problems.add("WAL continuity of " + name + " cannot be checked (" + ex.getMessage() + ")");
                }
            }
            repoError.ifPresent(m -> problems.add("the repository cannot be read (" + m + ")"));
            ok &= problems.isEmpty();
            Map<String, Object> cj = json(name, e.getValue(), a, problems, view, target, newestWal, newestBackup, now);
            cj.put("wal_source", source.replica().map(r -> "replica " + r).orElse("primary"));
            cj.put("upstream", upstream.map(u -> {
                Map<String, Object> um = new LinkedHashMap<>();
                um.put("replica", u.replica());
                um.put("receiving", u.receiving());
                um.put("behind_bytes", u.behindBytes().orElse(null));
                um.put("flush_lag_seconds", u.flushLagSeconds().orElse(null));
                um.put("primary_error", u.primaryError().orElse(null));
                return um;
            }).orElse(null));
            clusters.add(cj);
            text.add(text(name, e.getValue(), a, problems, view, target, newestWal, newestBackup, now));
        }
        boolean healthy = ok;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("time", now.toString());
        m.put("ok", healthy);
        m.put("postgres", clusters);
        output.emit(m, () -> String.join("\n", text) + "\n" + (healthy ? "Protected: WAL reaches the repository within the plan's RPO.\n"
                : "Protection is degraded [" + ErrorCode.PROTECTION_DEGRADED.label() + "].\n"));
        return healthy ? 0 : ErrorCode.PROTECTION_DEGRADED.exitStatus();
    }

    /**
     * Gaps in the archived WAL after the newest backup: recovery to the latest point stops before them (after a lost
     * slot, say), so the recovery point the lag promises is not reachable until a new backup starts past the gap.
     */
    static List<String> gapsAfterNewestBackup(Repository repo, String cluster, List<Snapshot> backups, Instant now) {
        if (backups.isEmpty()) {
            return List.of();
        }
        String newest = backups.get(backups.size() - 1).shortId();
        return WalContinuity.check(new WalArchive(repo, cluster), backups, now).gaps().stream()
                .filter(g -> g.backups().contains(newest))
                .map(g -> g.describe() + ": recovery from the newest backup " + newest + " stops before it; take a new base backup "
                        + "(lifeboat backup postgres --cluster " + cluster + ")")
                .toList();
    }

    /** How each cluster's WAL reaches the repository, from the plan's 'wal' schedules. */
    static Map<String, WalProtection.Mode> modes(Plan plan) {
        Map<String, WalProtection.Mode> modes = new LinkedHashMap<>();
        for (Schedule s : plan.schedules().values()) {
            if (s.job() == Job.WAL) {
                WalProtection.Mode mode = s.options().containsKey("spool") ? WalProtection.Mode.ARCHIVING : WalProtection.Mode.STREAMING;
                s.resources().stream().filter(plan.resources().postgres()::containsKey).forEach(r -> modes.put(r, mode));
            }
        }
        return modes;
    }

    /** How the primary feeds the standby the agent streams from; a primary that does not answer is noted, not fatal. */
    private static Upstream upstream(WalSource source, PostgresCluster c, Connection standby, ServerView view, Optional<String> password)
            throws SQLException {
        return Upstream.probe(source.replica().orElseThrow(), standby, view.position(), () -> connect(c, c.primary(), password));
    }

    private static Connection connect(PostgresCluster c, Endpoint at, Optional<String> password) throws SQLException {
        return dev.lifeboat.postgres.connect.Connections.open(PostgresCluster.jdbcUrl(at, c.database()), c.user(), password,
                java.time.Duration.ofSeconds(5), "lifeboat status");
    }

    private static Map<String, Object> json(String name, WalProtection.Mode mode, WalProtection.Assessment a, List<String> problems,
                                            Optional<ServerView> view, Optional<Duration> target, Optional<Instant> newestWal,
                                            Optional<Snapshot> newestBackup, Instant now) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cluster", name);
        m.put("mode", mode.name().toLowerCase(java.util.Locale.ROOT));
        m.put("ok", problems.isEmpty());
        m.put("rpo_lag_seconds", a.rpoLag().map(d -> d.toMillis() / 1000.0).orElse(null));
        m.put("rpo_lag_basis", a.basis());
        m.put("rpo_target_seconds", target.map(Duration::getSeconds).orElse(null));
        m.put("server_lsn", view.map(v -> v.position().toString()).orElse(null));
        m.put("streaming", view.flatMap(ServerView::sender).map(s -> Map.of("state", s.state(), "sync_state", s.syncState(),
                "flush_lsn", s.flushLsn().toString(), "behind_bytes", s.behindBytes())).orElse(null));
        m.put("slot", view.flatMap(ServerView::slot).map(s -> {
            Map<String, Object> sm = new LinkedHashMap<>();
            sm.put("name", s.name());
            sm.put("active", s.active());
            sm.put("retained_bytes", s.retainedBytes());
            sm.put("wal_status", s.walStatus().orElse(null));
            sm.put("safe_wal_size_bytes", s.safeWalSizeBytes().orElse(null));
            return sm;
        }).orElse(null));
        m.put("archiver", view.flatMap(ServerView::archiver).map(ar -> {
            Map<String, Object> am = new LinkedHashMap<>();
            am.put("last_archived_wal", ar.lastArchivedWal().orElse(null));
            am.put("last_archived_time", ar.lastArchivedTime().map(Instant::toString).orElse(null));
            am.put("last_failed_wal", ar.lastFailedWal().orElse(null));
            am.put("last_failed_time", ar.lastFailedTime().map(Instant::toString).orElse(null));
            am.put("failed_count", ar.failedCount());
            am.put("all_archived", ar.allArchived());
            return am;
        }).orElse(null));
        m.put("newest_wal_stored", newestWal.map(Instant::toString).orElse(null));
        m.put("newest_backup", newestBackup.map(s -> Map.of("id", s.id(), "time", s.manifest().time())).orElse(null));
        m.put("problems", problems);
        m.put("notes", a.notes());
        return m;
    }

    private static String text(String name, WalProtection.Mode mode, WalProtection.Assessment a, List<String> problems, Optional<ServerView> view,
                               Optional<Duration> target, Optional<Instant> newestWal, Optional<Snapshot> newestBackup, Instant now) {
        StringBuilder b = new StringBuilder();
        String how = switch (mode) {
            case STREAMING -> view.flatMap(ServerView::sender).map(s -> "streaming (" + s.syncState() + ") into the repository")
                    .orElse("NOT streaming");
            case ARCHIVING -> "archiving through archive_command";
            case NONE -> "backups only, no continuous WAL";
        };
        b.append(name).append(": ").append(how).append('\n');
        b.append(String.format("  RPO lag      %s%s%n", a.rpoLag().map(Durations::formatBrief).orElse("unknown"),
                target.map(t -> " (target " + Durations.format(t) + ")").orElse("")));
        b.append("               ").append(a.basis()).append('\n');
        view.ifPresent(v -> b.append("  server       at ").append(v.position()).append(v.inRecovery() ? " (a standby)" : "").append('\n'));
        b.append("  repository   newest WAL ").append(newestWal.map(t -> ago(t, now)).orElse("none")).append("; newest backup ")
                .append(newestBackup.map(s -> s.id().substring(0, 8) + " " + ago(Instant.parse(s.manifest().time()), now)).orElse("none"))
                .append('\n');
        a.notes().forEach(n -> b.append("  note         ").append(n).append('\n'));
        problems.forEach(p -> b.append("  PROBLEM      ").append(p).append('\n'));
        return b.toString();
    }

    private static String ago(Instant t, Instant now) {
        Duration d = Duration.between(t, now);
        return "stored " + (d.isNegative() || d.toMillis() < 1000 ? "just now" : Durations.formatBrief(Duration.ofSeconds(d.getSeconds())) + " ago");
    }

}
