package dev.lifeboat.cli.agent;

import dev.lifeboat.cli.RepositoryAccess;
import dev.lifeboat.cli.output.Output;
import dev.lifeboat.core.error.ErrorCode;
import dev.lifeboat.core.error.LifeboatException;
import dev.lifeboat.core.plan.Job;
import dev.lifeboat.core.plan.Plan;
import dev.lifeboat.core.plan.PostgresCluster;
import dev.lifeboat.core.plan.Schedule;
import dev.lifeboat.core.plan.WalSource;
import dev.lifeboat.core.time.Durations;
import dev.lifeboat.postgres.backup.PostgresTarget;
import dev.lifeboat.postgres.connect.Connections;
import dev.lifeboat.postgres.stream.StreamSupervisor;
import dev.lifeboat.postgres.stream.WalReceiver;
import dev.lifeboat.postgres.wal.WalArchive;
import dev.lifeboat.repository.Repository;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code lifeboat agent}: the long-running process on the database host. */
@Command(name = "agent", mixinStandardHelpOptions = true,
        description = {"Run the Lifeboat agent on the database host.",
                "",
                "The agent streams WAL into the repository for every PostgreSQL cluster that a 'wal' schedule of the plan "
                        + "names, over a physical replication slot lifeboat_<cluster>, storing the segment being filled every "
                        + "--flush-every so the recovery point trails by about that much; it restarts streaming after failures and "
                        + "says why; a slot the server invalidated (max_slot_wal_keep_size) is replaced, and the log says a new base "
                        + "backup is needed. --metrics-file and 'lifeboat status' show the recovery point lag. The slot is on the "
                        + "primary, or with options {from: REPLICA} on that standby (sparing the primary; the standby's own lag then "
                        + "adds to the recovery point's). A 'wal' schedule with options {spool: DIR} archives through PostgreSQL's archive_command instead: the "
                        + "command (printed at start) copies each finished segment into DIR and waits until the agent has stored it "
                        + "in the repository, so PostgreSQL recycles WAL only once the repository holds it and no JVM starts per "
                        + "segment; when the cluster's data-dir is on this host the agent also stores ready segments from pg_wal "
                        + "ahead of the command. It also runs the plan's cron schedules (UTC): 'backup' (Redis snapshots from a healthy replica "
                        + "and PostgreSQL base backups of clusters with a data-dir on this host), 'prune' (the data classes' keep "
                        + "policies, for snapshots and WAL) and 'verify' (quick, or level: full), side by side (a long base backup does "
                        + "not hold up a 15-minute Redis snapshot), except that a prune runs alone. The HTTP API and the dashboard "
                        + "come later. The timeline goes to stderr, or with --json to stdout as one JSON object per line (time, message) for "
                        + "log shippers. Stop it with Ctrl-C or SIGTERM: it stores the last WAL and says 'agent stopped'."})
public final class AgentCommand implements Callable<Integer> {
    @Mixin
    RepositoryAccess access;

    @Mixin
    Output output;

    @Option(names = "--flush-every", paramLabel = "DURATION", description = "How often the partial segment is stored (default 1s).")
    String flushEvery = "1s";

    @Option(names = "--synchronous", description = "Acknowledge WAL to PostgreSQL as soon as it is durable in the repository, not every "
            + "--flush-every. With the agent's application_name (printed at start) in the server's synchronous_standby_names, "
            + "every commit waits until its WAL is in the repository: RPO zero, at the price of commit latency.")
    boolean synchronous;

    @Option(names = "--status-every", paramLabel = "DURATION", description = "How often status is printed (default 30s).")
    String statusEvery = "30s";

    @Option(names = "--metrics-file", paramLabel = "FILE", description = "Write metrics in the Prometheus text format to FILE every second "
            + "(replaced atomically; point node_exporter's textfile collector at its directory): lifeboat_wal_rpo_lag_seconds, "
            + "lifeboat_wal_streaming, received and durable positions per cluster, and a timestamp to tell a stale file.")
    Path metricsFile;

    @Option(names = "--stop-after", paramLabel = "DURATION", description = "Stop after this long (for scripts and tests).")
    String stopAfter;

    private static Duration option(String name, String value) {
        try {
            return Durations.parse(value);
        } catch (IllegalArgumentException e) {
            throw new LifeboatException(ErrorCode.USAGE, name + ": " + e.getMessage(), "Write a duration such as 30s, 5m or 1h30m.");
        }
    }

    private static WalSource source(Plan plan, String cluster) {
        try {
            return WalSource.of(plan, cluster);
        } catch (IllegalArgumentException e) {
            throw new LifeboatException(ErrorCode.UNDEFINED_REFERENCE, e.getMessage(), "Name one of the cluster's replicas in the wal schedule's "
                    + "options.from ('lifeboat plan check' lists the problem with its position).");
        }
    }

    @Override
    public Integer call() throws InterruptedException {
        // Options are checked before anything starts: a bad one found after the WAL threads started ended the agent
        // as an internal error, without its clean stop.
        Duration statusPeriod = option("--status-every", statusEvery);
        if (statusPeriod.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new LifeboatException(ErrorCode.USAGE, "--status-every " + statusEvery + " is shorter than a second", "Give 1s or more, e.g. 30s.");
        }
        if (stopAfter != null) {
            option("--stop-after", stopAfter);
        }
        if (!synchronous) {
            option("--flush-every", flushEvery);
        }
        Plan plan = access.plan().orElseThrow(() -> new LifeboatException(ErrorCode.CONFIG_NOT_FOUND,
                ErrorCode.CONFIG_NOT_FOUND.format("lifeboat.yaml"), "The agent runs from a plan: pass --config FILE or set LIFEBOAT_CONFIG."));
        Set<String> clusters = new LinkedHashSet<>();
        java.util.Map<String, Path> spools = new java.util.LinkedHashMap<>();
        for (Schedule s : plan.schedules().values()) {
            if (s.job() == Job.WAL) {
                if (s.options().containsKey("spool")) {
                    s.resources().forEach(r -> spools.put(r, Path.of(s.options().get("spool"))));
                } else {
                    clusters.addAll(s.resources());
                }
            }
        }
        List<Schedule> timed = plan.schedules().values().stream().filter(s -> s.cron().isPresent()).toList();
        if (clusters.isEmpty() && spools.isEmpty() && timed.isEmpty()) {
            throw new LifeboatException(ErrorCode.USAGE, "the plan has no 'wal' schedule and no cron schedule",
                    "Add one, e.g. wal-shipping: {job: wal, resources: [app-db], max-lag: 1m} or redis-rdb: {job: backup, resources: [cache], cron: \"*/15 * * * *\"}.");
        }
        Repository repo = access.open();
        AtomicBoolean stop = new AtomicBoolean();
        PrintWriter out = output.json() ? output.out() : output.err();
        List<StreamSupervisor> supervisors = new ArrayList<>();
        java.util.Map<String, UpstreamWatch> upstreams = new java.util.LinkedHashMap<>();
        List<Thread> threads = new ArrayList<>();
        Duration flush = synchronous ? Duration.ZERO : Durations.parse(flushEvery);
        for (String name : clusters) {
            PostgresCluster c = plan.resources().postgres().get(name);
            Optional<String> password = access.postgresPassword(name);
            WalSource source = source(plan, name);
            PostgresTarget target = new PostgresTarget(PostgresCluster.jdbcUrl(source.endpoint(), c.database()),
                    c.user(), password, Path.of(c.dataDir().orElse(".")));
            String slot = WalReceiver.slotName(name);
            java.util.Map<String, String> others = new java.util.LinkedHashMap<>();
            source.otherServers(c).forEach((server, at) -> others.put(server, PostgresCluster.jdbcUrl(at, c.database())));
            WalArchive stored = new WalArchive(repo, name);
            dev.lifeboat.postgres.stream.StraySlots.clear(others, slot, c.user(), password, stored::storedEnd).forEach(m -> line(out, name + ": " + m));
            if (source.standby()) {
                if (synchronous) {
                    throw new LifeboatException(ErrorCode.USAGE, name + ": --synchronous needs WAL from the primary, and the plan streams it from "
                            + source.describe(), "A primary waits only for its own standbys: remove 'from' from the wal schedule to stream "
                            + "from the primary, or run without --synchronous.");
                }
                line(out, name + ": streaming WAL from " + source.describe() + " (the schedule's from), so the agent's slot is on the standby; "
                        + "WAL the standby has not received yet is not protected, so the RPO lag includes the standby's own lag, asked every "
                        + UpstreamWatch.EVERY.toSeconds() + " s");
                String standbyUrl = PostgresCluster.jdbcUrl(source.endpoint(), c.database());
                String primaryUrl = PostgresCluster.jdbcUrl(c.primary(), c.database());
                upstreams.put(name, new UpstreamWatch(name, source.replica().orElseThrow(), slot, WalReceiver.applicationName(slot),
                        () -> Connections.open(standbyUrl, c.user(), password, Duration.ofSeconds(5), "lifeboat agent"),
                        () -> Connections.open(primaryUrl, c.user(), password, Duration.ofSeconds(5), "lifeboat agent"),
                        text -> line(out, text)));
            }
            if (synchronous) {
                line(out, name + ": synchronous mode; for RPO zero set synchronous_standby_names = '\"" + WalReceiver.applicationName(slot)
                        + "\"' on the primary (commits then wait for the repository, and stop while no agent runs)");
                SynchronousSetup.problems(() -> Connections.open(target.jdbcUrl(), c.user(), password, Duration.ofSeconds(5), "lifeboat agent"),
                        WalReceiver.applicationName(slot)).forEach(p -> line(out, name + ": WARNING " + p));
            }
            StreamSupervisor sup = new StreamSupervisor(name, () -> new WalReceiver(target, slot, new WalArchive(repo, name), flush,
                    event -> line(out, name + ": " + event)), stop,
                    event -> line(out, event));
            supervisors.add(sup);
            Thread t = new Thread(sup, "lifeboat-wal-" + name);
            t.setDaemon(true);
            threads.add(t);
        }
        List<dev.lifeboat.postgres.spool.SpoolDrain> drains = new ArrayList<>();
        for (java.util.Map.Entry<String, Path> e : spools.entrySet()) {
            // On the database host the agent also reads ahead from pg_wal (the plan's data-dir), as the timeline says.
            Optional<Path> pgWal = Optional.ofNullable(plan.resources().postgres().get(e.getKey())).flatMap(PostgresCluster::dataDir).map(d -> Path.of(d).resolve("pg_wal"))
                    .filter(java.nio.file.Files::isDirectory);
            dev.lifeboat.postgres.spool.SpoolDrain drain = new dev.lifeboat.postgres.spool.SpoolDrain(e.getValue(), new WalArchive(repo, e.getKey()),
                    stop, event -> line(out, e.getKey() + ": " + event), pgWal);
            pgWal.ifPresent(w -> line(out, e.getKey() + ": reading ahead ready segments from " + w
                    + " (the plan's data-dir is on this host), storing them before archive_command asks"));
            drains.add(drain);
            Thread t = new Thread(drain, "lifeboat-spool-" + e.getKey());
            t.setDaemon(true);
            threads.add(t);
            line(out, e.getKey() + ": archiving through the spool " + e.getValue() + "; set archive_command = '"
                    + dev.lifeboat.postgres.spool.SpoolDrain.archiveCommand(e.getValue()) + "'");
        }
        // Protection the plan asks for but this build cannot give: said at the start, since a mirror has no firing to say it at.
        for (Schedule s : plan.schedules().values()) {
            if (s.job() == Job.DRILL || s.job() == Job.HEALTH) {
                line(out, "PROBLEM schedule '" + s.name() + "': this agent does not run " + s.job().name().toLowerCase() + " jobs yet; run 'lifeboat "
                        + (s.job() == Job.DRILL ? "demo" : "health") + "' from cron meanwhile");
            }
            for (String r : s.resources()) {
                dev.lifeboat.core.feasibility.JobSupport.notRun(plan, s.job(), r).ifPresent(why -> line(out, "PROBLEM schedule '" + s.name()
                        + "' names " + r + ", which this agent does not protect: " + why + " ('lifeboat plan check' reports it not met)"));
            }
        }
        // Large objects (WAL segments) are sealed as 64 KiB AES-GCM frames; HotSpot makes those fast only after
        // thousands of calls, so the agent makes them once at start rather than on its first few hundred segments.
        long warm = System.nanoTime();
        dev.lifeboat.repository.crypto.Aead.warmUp();
        line(out, String.format("AES-GCM warmed up in %d ms", (System.nanoTime() - warm) / 1_000_000));
        // SIGTERM (systemd, Kubernetes) runs this hook, and the JVM halts when it returns: it waits for the main
        // thread's clean stop below (the last WAL stored, threads joined, "agent stopped"), within 30 s.
        java.util.concurrent.CountDownLatch stopped = new java.util.concurrent.CountDownLatch(1);
        Thread hook = new Thread(() -> {
            stop.set(true);
            try {
                stopped.await(30, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "lifeboat-agent-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return run(out, repo, plan, timed, threads, drains, supervisors, upstreams, clusters, hook, stop);
        } finally {
            stopped.countDown();
        }
    }

    /** Runs until stopped (--stop-after, SIGTERM): the schedules, the status lines, the metrics; then stops cleanly. */
    private Integer run(PrintWriter out, Repository repo, Plan plan, List<Schedule> timed, List<Thread> threads,
                        List<dev.lifeboat.postgres.spool.SpoolDrain> drains, List<StreamSupervisor> supervisors,
                        java.util.Map<String, UpstreamWatch> upstreams, Set<String> clusters, Thread hook, AtomicBoolean stop) throws InterruptedException {
        threads.forEach(Thread::start);
        ScheduledJobs jobs = new ScheduledJobs(plan, access, repo, text -> line(out, text));
        // A thread per running job: schedules run side by side (a prune alone).
        java.util.concurrent.ExecutorService lanes = java.util.concurrent.Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "lifeboat-schedule");
            t.setDaemon(true);
            return t;
        });
        CronScheduler cron = new CronScheduler(timed, java.time.Clock.systemUTC(), jobs::run, (s, text) -> line(out, s.name() + ": " + text),
                jobs::missed, lanes);
        line(out, "agent started: streaming WAL for " + (clusters.isEmpty() ? "no cluster" : String.join(", ", clusters)) + "; schedules next at "
                + cron.nextRuns());
        long deadline = stopAfter == null ? Long.MAX_VALUE : System.nanoTime() + Durations.parse(stopAfter).toNanos();
        long statusNanos = Durations.parse(statusEvery).toNanos();
        long nextStatus = System.nanoTime() + statusNanos;
        // Metrics on their own thread: a long scheduled job (a full verification) must not make the file look stale.
        java.util.concurrent.ScheduledExecutorService metrics = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "lifeboat-metrics");
            t.setDaemon(true);
            return t;
        });
        // The standbys' own lag on another thread: a server that does not answer must not hold up the metrics.
        java.util.concurrent.ScheduledExecutorService upstreamReads = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "lifeboat-upstream");
            t.setDaemon(true);
            return t;
        });
        upstreams.values().forEach(u -> upstreamReads.scheduleWithFixedDelay(u, 0, UpstreamWatch.EVERY.toSeconds(), java.util.concurrent.TimeUnit.SECONDS));
        if (metricsFile != null) {
            boolean[] failing = {false};
            metrics.scheduleAtFixedRate(() -> {
                try {
                    AgentMetrics.write(metricsFile, AgentMetrics.render(supervisors, upstreams, System.currentTimeMillis()));
                    failing[0] = false;
                } catch (java.io.IOException | RuntimeException e) {
                    if (!failing[0]) { // said once, not every second
                        line(out, "cannot write the metrics file " + metricsFile + ": " + e.getMessage() + "; retrying every second");
                    }
                    failing[0] = true;
                }
            }, 0, 1, java.util.concurrent.TimeUnit.SECONDS);
        }
        boolean rotationSaid = false;
        try {
            while (!stop.get() && System.nanoTime() < deadline) {
                Thread.sleep(100);
                cron.runDue();
                if (System.nanoTime() >= nextStatus) {
                    supervisors.forEach(s -> line(out, s.status() + (upstreams.containsKey(s.cluster())
                            ? "; the cluster's RPO lag with the standby's own: " + Durations.formatBrief(upstreams.get(s.cluster())
                                    .rpoLag(Duration.ofMillis(s.rpoLagMillis(System.currentTimeMillis())))) + " (" + upstreams.get(s.cluster()).describe() + ")"
                            : "")));
                    drains.forEach(d -> line(out, d.status()));
                    if (!rotationSaid && repo.keysRotatedSinceOpen()) {
                        rotationSaid = true;
                        line(out, "PROBLEM the repository's keys were rotated since this agent started: it still seals new WAL and backups "
                                + "with the data key it read then; restart it to use the new one");
                    }
                    nextStatus += statusNanos;
                }
            }
            // Jobs still running finish first: all of them when --stop-after ends the run; on a signal, what fits
            // in the shutdown's grace (the rest is said, and its repository lock goes stale).
            List<String> left = cron.awaitRunning(stop.get() ? Optional.of(Duration.ofSeconds(20)) : Optional.empty());
            if (!left.isEmpty()) {
                line(out, "stopping with schedule(s) still running: " + String.join(", ", left) + "; their repository locks go stale and "
                        + "the next run takes them over");
            }
        } finally {
            lanes.shutdown();
            upstreamReads.shutdownNow();
            metrics.shutdown(); // let a write in progress finish: no half-written temporary file left behind
            metrics.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
        }
        stop.set(true);
        for (Thread t : threads) {
            t.join(15_000);
        }
        supervisors.forEach(s -> line(out, s.status()));
        drains.forEach(d -> line(out, d.status()));
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // already shutting down
        }
        line(out, "agent stopped");
        return 0;
    }

    /** One timeline line: text on stderr, or with --json one JSON object per line on stdout (for log shippers). */
    private void line(PrintWriter out, String text) {
        synchronized (out) {
            if (output.json()) {
                out.println(dev.lifeboat.cli.output.Json.line(java.util.Map.of("time", Instant.now().toString(), "message", text)));
            } else {
                out.println(Instant.now() + " " + text);
            }
            out.flush();
        }
    }
}
