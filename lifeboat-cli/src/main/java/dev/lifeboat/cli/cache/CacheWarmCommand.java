package dev.lifeboat.cli.cache;

import dev.lifeboat.cli.RepositoryAccess;
import dev.lifeboat.cli.output.Output;
import dev.lifeboat.cli.redis.RedisOptions;
import dev.lifeboat.core.error.ErrorCode;
import dev.lifeboat.core.error.LifeboatException;
import dev.lifeboat.core.plan.Criticality;
import dev.lifeboat.core.plan.PostgresCluster;
import dev.lifeboat.core.plan.RedisInstance;
import dev.lifeboat.core.plan.WarmSet;
import dev.lifeboat.redis.RedisTarget;
import dev.lifeboat.redis.warm.CacheWarmer;
import dev.lifeboat.repository.Repository;
import dev.lifeboat.repository.Snapshot;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code lifeboat cache warm}: the seed's warm-cache.sh. */
@Command(name = "warm", mixinStandardHelpOptions = true,
        description = {"Load the plan's warm sets into a Redis instance, critical first.",
                "",
                "Warm sets are declared per instance under resources.redis.NAME.warm: keys of the newest snapshot that match "
                        + "patterns, or rows of a PostgreSQL query. --priority critical loads only critical sets (the seed's "
                        + "--critical-only), high adds high ones (--priority-data), all loads everything. --dry-run counts what "
                        + "each set would load and writes nothing."},
        footer = {"", "Exit status: 0 loaded (or counted); 79 a set needs a snapshot and there is none; 90 a source does not answer."})
public final class CacheWarmCommand implements Callable<Integer> {
    @Mixin
    RepositoryAccess access;

    @Mixin
    RedisOptions redis;

    @Mixin
    Output output;

    @Option(names = "--priority", paramLabel = "LEVEL", description = "critical, high, medium or all (default all).")
    String priority = "all";

    @Option(names = "--to", paramLabel = "HOST:PORT", description = "Warm this server instead of the instance's primary.")
    String to;

    @Option(names = "--rate", paramLabel = "KEYS/S", description = "At most this many keys per second (default 20000; 0 for no limit).")
    double rate = 20_000;

    @Option(names = "--dry-run", description = "Count what would be loaded; write nothing.")
    boolean dryRun;

    @Override
    public Integer call() {
        RedisInstance instance = redis.planned(access.plans()).orElseThrow(() -> new LifeboatException(ErrorCode.USAGE,
                "cache warm needs --instance NAME from the plan", "The plan declares the warm sets of each instance."));
        Criticality threshold = switch (priority.toLowerCase(java.util.Locale.ROOT)) {
            case "all" -> null;
            case "critical" -> Criticality.CRITICAL;
            case "high" -> Criticality.HIGH;
            case "medium" -> Criticality.MEDIUM;
            default -> throw new LifeboatException(ErrorCode.USAGE, "--priority " + priority + " is not critical, high, medium or all", null);
        };
        List<WarmSet> sets = CacheWarmer.select(instance.warm(), threshold);
        if (sets.isEmpty()) {
            throw new LifeboatException(ErrorCode.USAGE, "instance '" + instance.name() + "' has no warm sets at priority " + priority,
                    "Declare them under resources.redis." + instance.name() + ".warm in the plan.");
        }
        RedisTarget target = to == null ? redis.primary(access.plans()) : redis.primary(access.plans()).at(dev.lifeboat.cli.EndpointOption.parse(to));
        boolean needsSnapshot = sets.stream().anyMatch(s -> s.source() == WarmSet.Source.SNAPSHOT);
        Optional<Repository> repo = needsSnapshot ? Optional.of(access.open()) : Optional.empty();
        Optional<Snapshot> newest = repo.flatMap(r -> r.snapshots().list().stream()
                .filter(s -> "redis".equals(s.manifest().kind()) && instance.name().equals(s.manifest().name()))
                .filter(s -> !dev.lifeboat.redis.restore.DataDirRestore.isAof(s)) // keys are read from an RDB
                .max(Comparator.comparing(Snapshot::time)));
        newest.ifPresent(s -> output.decision("snapshot sets load from " + s.shortId() + ", the newest RDB backup of " + instance.name()
                + " (" + s.manifest().time() + "; AOF backups are not read key by key)"));
        CacheWarmer warmer = new CacheWarmer(target, repo, newest, this::connect, rate);
        List<CacheWarmer.Outcome> outcomes;
        try (dev.lifeboat.cli.ReadLock lock = repo.isEmpty() || dryRun ? dev.lifeboat.cli.ReadLock.none()
                : dev.lifeboat.cli.ReadLock.take(repo.get(), "cache warm " + instance.name(), output::decision)) {
            outcomes = warmer.run(sets, dryRun, output.progress("warm " + instance.name()));
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("dry_run", dryRun);
        m.put("instance", instance.name());
        m.put("target", target.toString());
        m.put("sets", outcomes);
        m.put("keys", outcomes.stream().mapToLong(CacheWarmer.Outcome::keys).sum());
        output.emit(m, () -> {
            StringBuilder t = new StringBuilder(dryRun ? "Would warm " + target + " (dry run: nothing written):\n" : "Warmed " + target + ":\n");
            for (CacheWarmer.Outcome o : outcomes) {
                t.append(String.format("  %-9s %-20s %8d keys%s%s%s  from %s%n", o.priority(), o.set(), o.keys(),
                        o.alreadyPresent() > 0 ? " (" + o.alreadyPresent() + " already present, left alone)" : "",
                        o.changedMeanwhile() > 0 ? " (" + o.changedMeanwhile() + " changed by the application right after)" : "",
                        dryRun ? "" : String.format(" in %.1f s", o.millis() / 1000.0), o.source()));
            }
            t.append(String.format("%s %d keys.%n", dryRun ? "In all" : "Loaded", outcomes.stream().mapToLong(CacheWarmer.Outcome::keys).sum()));
            return t.toString();
        });
        return 0;
    }

    private Connection connect(WarmSet set) {
        String name = set.postgres().orElseThrow();
        PostgresCluster c = access.postgres(name).orElseThrow(() -> new LifeboatException(ErrorCode.USAGE, "no PostgreSQL cluster '" + name + "'", null));
        Properties p = new Properties();
        p.setProperty("user", c.user());
        access.postgresPassword(name).ifPresent(pw -> p.setProperty("password", pw));
        p.setProperty("ApplicationName", "lifeboat cache warm");
        // Bounded: a server that accepts the connection and never answers, or a warm query stuck on a lock, fails the set.
        p.setProperty("connectTimeout", "10");
        p.setProperty("loginTimeout", "30");
        p.setProperty("socketTimeout", "300");
        String db = set.database().orElse(c.database());
        try {
            return DriverManager.getConnection(PostgresCluster.jdbcUrl(c.primary(), db), p);
        } catch (SQLException e) {
            throw new LifeboatException(ErrorCode.SOURCE_UNREACHABLE, ErrorCode.SOURCE_UNREACHABLE.format("PostgreSQL " + name, e.getMessage()), null, e);
        }
    }
}
