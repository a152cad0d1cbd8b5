package dev.lifeboat.cli;

import dev.lifeboat.core.config.PlanLoader;
import dev.lifeboat.core.plan.Plan;
import dev.lifeboat.core.plan.PostgresCluster;
import dev.lifeboat.core.plan.Secret;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * How a command finds the plan ({@code --config}, else {@code $LIFEBOAT_CONFIG}, else {@code ./lifeboat.yaml} when
 * present) and reads its secrets. Commands that act on servers only ({@code health}, {@code failover}) take this
 * alone, so they offer no repository option they would ignore; {@link RepositoryAccess} includes it.
 */
public final class PlanAccess {
    @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "The plan file (default: $LIFEBOAT_CONFIG, else ./lifeboat.yaml when present).")
    Path config;

    private final Map<String, String> env;
    private final Stores stores;
    private Optional<Plan> plan;

    public PlanAccess() {
        this(Lifeboat.environment());
    }

    PlanAccess(Map<String, String> env) {
        this.env = env;
        this.stores = new Stores(env);
    }

    /** The plan, when one is given or ./lifeboat.yaml exists; loaded once. */
    public Optional<Plan> plan() {
        if (plan == null) {
            Path file = PlanLoader.locate(Optional.ofNullable(config), env);
            plan = config != null || !env.getOrDefault(PlanLoader.ENV, "").isBlank() || Files.exists(file) ? Optional.of(PlanLoader.load(file)) : Optional.empty();
        }
        return plan;
    }

    /** A PostgreSQL cluster of the plan, if there is a plan and it names one. */
    public Optional<PostgresCluster> postgres(String name) {
        return plan().map(p -> p.resources().postgres().get(name));
    }

    /** The password for a cluster: the plan's secret source, else {@code $PGPASSWORD}, else none. */
    public Optional<String> postgresPassword(String name) {
        return postgres(name).flatMap(PostgresCluster::password).map(this::resolve).or(() -> Optional.ofNullable(env.get("PGPASSWORD")));
    }

    /** A plan secret's value, read now from its source. */
    public String resolve(Secret secret) {
        return stores.resolve(secret);
    }
}
