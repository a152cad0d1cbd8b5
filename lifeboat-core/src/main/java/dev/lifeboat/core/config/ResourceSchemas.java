package dev.lifeboat.core.config;

import static dev.lifeboat.core.config.Field.optional;
import static dev.lifeboat.core.config.Field.required;

import dev.lifeboat.core.error.ErrorCode;
import dev.lifeboat.core.plan.Bucket;
import dev.lifeboat.core.plan.Criticality;
import dev.lifeboat.core.plan.ConfigSource;
import dev.lifeboat.core.plan.Endpoint;
import dev.lifeboat.core.plan.PostgresCluster;
import dev.lifeboat.core.plan.RePoint;
import dev.lifeboat.core.plan.RedisInstance;
import dev.lifeboat.core.plan.Resources;
import dev.lifeboat.core.plan.Secret;
import dev.lifeboat.core.plan.Sentinel;
import dev.lifeboat.core.plan.StoreType;
import dev.lifeboat.core.plan.WarmSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** The {@code resources} section: PostgreSQL clusters, Redis instances, buckets and configuration sources. */
final class ResourceSchemas {
    private ResourceSchemas() {
    }

    static ObjectSchema<PostgresCluster> postgres() {
        ObjectSchema<PostgresCluster> s = ObjectSchema.of("PostgreSQL cluster",
                "A PostgreSQL cluster: its primary and streaming replicas, and how Lifeboat connects to it.");
        Field<Endpoint> primary = s.field(required("primary", PlanTypes.endpoint(), "The primary's address."));
        Field<Map<String, Endpoint>> replicas = s.field(optional("replicas", Type.namedMap(endpointEntry(), Kind.REPLICA), "none",
                "Streaming replicas by name (`replica-1: {endpoint: host:port}`); failover promotes one of them."));
        Field<String> dataDir = s.field(optional("data-dir", Type.text(), "The primary's data directory (for local backups and restores)."));
        Field<String> binDir = s.field(optional("bin-dir", Type.text(), "found on PATH or /usr/lib/postgresql/*/bin",
                "Directory holding the server binaries (pg_ctl, postgres, initdb …)."));
        Field<String> database = s.field(optional("database", Type.text(), "postgres", "Database Lifeboat connects to."));
        Field<String> user = s.field(optional("user", Type.text(), "postgres", "Role Lifeboat connects as; it needs REPLICATION and pg_read_all_settings."));
        Field<Secret> password = s.field(optional("password", PlanTypes.secret(), "The role's password, read at run time."));
        Field<RePoint> rePoint = s.field(optional("re-point", Type.object(rePoint()),
                "What 'failover postgres' runs after promotion so the application follows the new primary."));
        return s.builds(v -> new PostgresCluster(v.name(), v.get(primary), v.getOr(replicas, Map.of()), v.find(dataDir),
                v.find(binDir), v.getOr(database, "postgres"), v.getOr(user, "postgres"), v.find(password), v.find(rePoint)));
    }

    private static ObjectSchema<RePoint> rePoint() {
        ObjectSchema<RePoint> s = ObjectSchema.of("re-point",
                "A command run right after a PostgreSQL failover promotes a replica, so the application follows it: reload "
                        + "pgbouncer, patch a Kubernetes Service, update DNS. It runs without a shell and gets LIFEBOAT_CLUSTER, "
                        + "LIFEBOAT_NEW_PRIMARY (the replica's name), LIFEBOAT_NEW_PRIMARY_HOST, LIFEBOAT_NEW_PRIMARY_PORT, "
                        + "LIFEBOAT_OLD_PRIMARY_HOST and LIFEBOAT_OLD_PRIMARY_PORT in a clean environment (PATH, HOME, USER, LOGNAME, "
                        + "LANG, LC_ALL, TZ, TMPDIR and what 'inherit' names); exit status 0 means re-pointed.");
        Field<List<String>> command = s.field(required("command", Type.listOf(Type.text()),
                "The program and its arguments, e.g. [/etc/lifeboat/repoint-pgbouncer.sh, app-db]."));
        Field<Duration> timeout = s.field(optional("timeout", PlanTypes.duration(), "30s", "How long it may run before it is killed."));
        Field<List<String>> inherit = s.field(optional("inherit", Type.listOf(Type.text()), "none",
                "More variables to pass through from Lifeboat's environment, e.g. [KUBECONFIG, KUBERNETES_SERVICE_HOST, "
                        + "KUBERNETES_SERVICE_PORT] for kubectl; keep secrets out of the command's arguments."));
        return s.builds(v -> new RePoint(v.get(command), v.getOr(timeout, Duration.ofSeconds(30)), v.getOr(inherit, List.of())))
                .rule((built, v, b) -> {
                    if (built.command().isEmpty() || built.command().get(0).isBlank()) {
                        b.report(v.at(), ErrorCode.BAD_VALUE, ErrorCode.BAD_VALUE.format(v.path() + ".command", "no program"),
                                "Name the program first, e.g. command: [/usr/local/bin/repoint, app-db].");
                    }
                });
    }

    private static ObjectSchema<Endpoint> endpointEntry() {
        ObjectSchema<Endpoint> s = ObjectSchema.of("replica", "A streaming replica.");
        Field<Endpoint> endpoint = s.field(required("endpoint", PlanTypes.endpoint(), "The replica's address."));
        return s.builds(v -> v.get(endpoint));
    }

    static ObjectSchema<RedisInstance> redis() {
        ObjectSchema<RedisInstance> s = ObjectSchema.of("Redis instance",
                "A Redis primary with its replicas and, optionally, the Sentinel group that fails it over.");
        Field<Endpoint> primary = s.field(required("primary", PlanTypes.endpoint(), "The primary's address."));
        Field<List<Endpoint>> replicas = s.field(optional("replicas", Type.listOf(PlanTypes.endpoint()), "none",
                "Replica addresses; backups are taken from a replica when one is healthy."));
        Field<Sentinel> sentinel = s.field(optional("sentinel", Type.object(sentinel()), "Sentinel group watching this primary."));
        Field<Secret> password = s.field(optional("password", PlanTypes.secret(), "The AUTH password, read at run time."));
        Field<Map<String, WarmSet>> warm = s.field(optional("warm", Type.namedMap(warmSet(), Kind.WARM_SET), "none",
                "Key sets loaded by 'lifeboat cache warm' after a recovery, critical first."));
        return s.builds(v -> new RedisInstance(v.name(), v.get(primary), v.getOr(replicas, List.of()), v.find(sentinel),
                v.find(password), v.getOr(warm, Map.of())));
    }

    private static ObjectSchema<WarmSet> warmSet() {
        ObjectSchema<WarmSet> s = ObjectSchema.of("warm set",
                "Keys to load into the cache after a recovery: from the newest snapshot, or rows of a PostgreSQL query.");
        Field<Criticality> priority = s.field(required("priority", Type.oneOf(Criticality.class), "Warming order: critical sets load first."));
        Field<WarmSet.Source> source = s.field(required("from", Type.oneOf(WarmSet.Source.class),
                "snapshot (keys of the newest Redis backup) or postgres (rows of a query)."));
        Field<List<String>> keys = s.field(optional("keys", Type.listOf(Type.text()), "none", "Key glob patterns, e.g. \"session:*\" (from: snapshot)."));
        Field<String> pg = s.field(optional("postgres", Type.reference(Kind.POSTGRES), "The cluster to query (from: postgres)."));
        Field<String> database = s.field(optional("database", Type.text(), "the cluster's database", "The database to query (from: postgres)."));
        Field<String> query = s.field(optional("query", Type.text(),
                "SQL whose first column is the key and second the value; with as: hash, the other columns become fields (from: postgres)."));
        Field<WarmSet.Shape> shape = s.field(optional("as", Type.oneOf(WarmSet.Shape.class), "string", "string or hash (from: postgres)."));
        Field<Duration> ttl = s.field(optional("ttl", PlanTypes.duration(), "Expiry of the loaded keys (none by default)."));
        return s.builds(v -> new WarmSet(v.name(), v.get(priority), v.get(source), v.getOr(keys, List.of()), v.find(pg), v.find(database),
                        v.find(query), v.getOr(shape, WarmSet.Shape.STRING), v.find(ttl)))
                .rule((built, v, b) -> {
                    if (built.source() == WarmSet.Source.SNAPSHOT && built.keys().isEmpty()) {
                        b.report(v.at(), ErrorCode.MISSING_KEY, ErrorCode.MISSING_KEY.format(v.path(), "keys"),
                                "A warm set from a snapshot names the key patterns to load.");
                    }
                    if (built.source() == WarmSet.Source.POSTGRES && (built.postgres().isEmpty() || built.query().isEmpty())) {
                        b.report(v.at(), ErrorCode.MISSING_KEY, ErrorCode.MISSING_KEY.format(v.path(), built.postgres().isEmpty() ? "postgres" : "query"),
                                "A warm set from PostgreSQL names the cluster and the query whose rows become keys.");
                    }
                });
    }

    private static ObjectSchema<Sentinel> sentinel() {
        ObjectSchema<Sentinel> s = ObjectSchema.of("Sentinel", "A Redis Sentinel group.");
        Field<String> master = s.field(optional("master-name", Type.text(), "mymaster", "The name Sentinel knows the master by."));
        Field<List<Endpoint>> nodes = s.field(required("nodes", Type.listOf(PlanTypes.endpoint()), "Sentinel addresses (three or more)."));
        Field<Integer> quorum = s.field(optional("quorum", Type.integer(1, 99), "a majority of nodes", "Sentinels that must agree the master is down."));
        return s.builds(v -> new Sentinel(v.getOr(master, "mymaster"), v.get(nodes), v.getOr(quorum, v.get(nodes).size() / 2 + 1)))
                .rule((built, v, b) -> {
                    if (built.quorum() > built.nodes().size()) {
                        b.report(v.at(quorum), ErrorCode.IMPOSSIBLE_VALUE, v.path() + ": quorum " + built.quorum()
                                + " is larger than the " + built.nodes().size() + " Sentinel nodes listed", "A quorum can be at most the number of nodes.");
                    }
                });
    }

    static ObjectSchema<Bucket> bucket() {
        ObjectSchema<Bucket> s = ObjectSchema.of("bucket", "An object-storage bucket or Azure container holding application files.");
        Field<StoreType> provider = s.field(required("provider", Type.oneOf(StoreType.class), "Where the bucket lives."));
        Field<String> bucket = s.field(required("bucket", Type.text(), "Bucket or container name (for filesystem: a directory)."));
        Field<String> region = s.field(optional("region", Type.text(), "The provider's region, e.g. us-east-1."));
        Field<String> prefix = s.field(optional("prefix", Type.text(), "whole bucket", "Only objects under this prefix."));
        Field<String> endpoint = s.field(optional("endpoint", Type.text(), "the provider's default", "Endpoint URL for S3-compatible or emulated services."));
        Field<Duration> versioning = s.field(optional("versioning", PlanTypes.duration(), "off",
                "How long the provider keeps old object versions (the seed's 90 days), as configured on the bucket."));
        return s.builds(v -> new Bucket(v.name(), v.get(provider), v.get(bucket), v.find(region), v.find(prefix),
                v.find(endpoint), v.find(versioning)));
    }

    static ObjectSchema<ConfigSource> configSource() {
        ObjectSchema<ConfigSource> s = ObjectSchema.of("configuration source",
                "Configuration to back up: a git repository, a directory, or Kubernetes objects of a namespace.");
        Field<ConfigSource.Type> type = s.field(required("type", Type.oneOf(ConfigSource.Type.class), "What kind of source this is."));
        Field<String> url = s.field(optional("url", Type.text(), "git: the repository URL."));
        Field<String> branch = s.field(optional("branch", Type.text(), "the default branch", "git: the branch to capture."));
        Field<String> path = s.field(optional("path", Type.text(), "directory: the directory to capture."));
        Field<String> namespace = s.field(optional("namespace", Type.text(), "kubernetes: the namespace to capture."));
        Field<List<String>> kinds = s.field(optional("kinds", Type.listOf(Type.text()), "configmaps, secrets, deployments, services",
                "kubernetes: object kinds to capture; secrets are stored encrypted like everything else."));
        return s.builds(v -> new ConfigSource(v.name(), v.get(type), v.find(url), v.find(branch), v.find(path),
                        v.find(namespace), v.getOr(kinds, List.of("configmaps", "secrets", "deployments", "services"))))
                .rule((c, v, b) -> {
                    Field<?> needed = switch (c.type()) {
                        case GIT -> c.url().isEmpty() ? url : null;
                        case DIRECTORY -> c.path().isEmpty() ? path : null;
                        case KUBERNETES -> c.namespace().isEmpty() ? namespace : null;
                    };
                    if (needed != null) {
                        b.report(v.at(), ErrorCode.MISSING_KEY, ErrorCode.MISSING_KEY.format(v.path() + " (type "
                                + Type.spelling(c.type()) + ")", needed.key()), null);
                    }
                });
    }

    static ObjectSchema<Resources> resources() {
        ObjectSchema<Resources> s = ObjectSchema.of("resources", "Everything that holds data Lifeboat protects. Names are unique across all kinds.");
        Field<Map<String, PostgresCluster>> pg = s.field(optional("postgres", Type.namedMap(postgres(), Kind.POSTGRES), "none", "PostgreSQL clusters by name."));
        Field<Map<String, RedisInstance>> redis = s.field(optional("redis", Type.namedMap(redis(), Kind.REDIS), "none", "Redis instances by name."));
        Field<Map<String, Bucket>> buckets = s.field(optional("buckets", Type.namedMap(bucket(), Kind.BUCKET), "none", "Object-storage buckets by name."));
        Field<Map<String, ConfigSource>> config = s.field(optional("config-sources", Type.namedMap(configSource(), Kind.CONFIG_SOURCE), "none",
                "Configuration sources by name."));
        return s.builds(v -> new Resources(v.getOr(pg, Map.of()), v.getOr(redis, Map.of()), v.getOr(buckets, Map.of()),
                        v.getOr(config, Map.of())))
                .rule((r, v, b) -> {
                    java.util.Set<String> seen = new java.util.HashSet<>();
                    for (Map<String, ?> m : List.of(r.postgres(), r.redis(), r.buckets(), r.configSources())) {
                        for (String name : m.keySet()) {
                            if (!seen.add(name)) {
                                b.report(v.at(), ErrorCode.IMPOSSIBLE_VALUE, "resources: the name '" + name
                                        + "' is used by two resources of different kinds", "Give each resource its own name.");
                            }
                        }
                    }
                });
    }
}
