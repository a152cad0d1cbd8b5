package dev.lifeboat.cli.redis;

import dev.lifeboat.cli.Lifeboat;
import dev.lifeboat.cli.PlanAccess;
import dev.lifeboat.core.error.ErrorCode;
import dev.lifeboat.core.error.LifeboatException;
import dev.lifeboat.core.plan.Endpoint;
import dev.lifeboat.core.plan.RedisInstance;
import dev.lifeboat.redis.RedisTarget;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * Which Redis instance a command works on: one of the plan's ({@code --instance}), or an address
 * ({@code --host}/{@code --port}). The password comes from the plan's secret, else {@code $REDISCLI_AUTH}.
 */
public final class RedisOptions {
    @Option(names = "--instance", paramLabel = "NAME", description = "A Redis instance of the plan (resources.redis).")
    String instance;

    @Option(names = "--host", paramLabel = "HOST", description = "Server host, instead of the plan's primary (default 127.0.0.1).")
    String host;

    @Option(names = "--port", paramLabel = "PORT", description = "Server port, instead of the plan's primary (default 6379).")
    Integer port;

    /** Sets the instance when a command takes it under its own option. */
    public void select(String name) {
        this.instance = name;
    }

    public Optional<String> instanceName() {
        return Optional.ofNullable(instance);
    }

    /** The instance's name for snapshots: --instance, else the explicit name, else an error. */
    public String name(String explicit) {
        if (explicit != null) {
            return explicit;
        }
        if (instance != null) {
            return instance;
        }
        throw new LifeboatException(ErrorCode.USAGE, "no name for the Redis backups", "Pass --instance NAME from the plan, or --name NAME.");
    }

    public Optional<RedisInstance> planned(PlanAccess access) {
        if (instance == null) {
            return Optional.empty();
        }
        return Optional.of(access.plan().map(p -> p.resources().redis().get(instance)).orElseThrow(() -> new LifeboatException(ErrorCode.USAGE,
                "no Redis instance '" + instance + "' in the plan", "Define it under resources.redis, or give --host and --port instead.")));
    }

    /**
     * The instance's password: the plan's, when there is a plan that names the instance, else {@code $REDISCLI_AUTH}.
     * Unlike {@link #primary}, it needs no plan (a recovery on a bare host knows the instance by its backups' name).
     */
    public Optional<String> password(PlanAccess access) {
        Optional<RedisInstance> planned = instance == null ? Optional.empty()
                : access.plan().flatMap(p -> Optional.ofNullable(p.resources().redis().get(instance)));
        return planned.flatMap(RedisInstance::password).map(access::resolve)
                .or(() -> Optional.ofNullable(Lifeboat.environment().get("REDISCLI_AUTH")));
    }

    /** The primary (or the server named by --host/--port), with the instance's password. */
    public RedisTarget primary(PlanAccess access) {
        Optional<RedisInstance> planned = planned(access);
        String h = host != null ? host : planned.map(r -> r.primary().host()).orElse("127.0.0.1");
        int p = port != null ? port : planned.map(r -> r.primary().port()).orElse(6379);
        return new RedisTarget(new Endpoint(h, p), Optional.empty(), password(access));
    }

    /**
     * Refuses --host/--port where the server comes from elsewhere (Sentinel names the master), instead of ignoring them.
     */
    public void refuseServer(String why) {
        if (host != null || port != null) {
            throw new LifeboatException(ErrorCode.USAGE, "--host/--port are not used here: " + why, "Drop them and pass --instance NAME from the plan.");
        }
    }

    /** The plan's replicas, unless --host/--port name one server. */
    public List<Endpoint> replicas(PlanAccess access) {
        if (host != null || port != null) {
            return List.of();
        }
        return planned(access).map(RedisInstance::replicas).orElse(List.of());
    }
}
