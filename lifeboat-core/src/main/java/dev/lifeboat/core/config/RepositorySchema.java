package dev.lifeboat.core.config;

import static dev.lifeboat.core.config.Field.optional;
import static dev.lifeboat.core.config.Field.required;

import dev.lifeboat.core.error.ErrorCode;
import dev.lifeboat.core.plan.Compression;
import dev.lifeboat.core.plan.Encryption;
import dev.lifeboat.core.plan.ObjectLockPolicy;
import dev.lifeboat.core.plan.Region;
import dev.lifeboat.core.plan.Repository;
import dev.lifeboat.core.plan.Secret;
import dev.lifeboat.core.plan.StoreType;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** The {@code repository} section: regions, encryption and compression of the backup repository. */
final class RepositorySchema {
    private RepositorySchema() {
    }

    static ObjectSchema<Region> region() {
        ObjectSchema<Region> s = ObjectSchema.of("region",
                "One copy of the repository on one store. GCS is used through its S3-compatible API with HMAC keys.");
        Field<StoreType> store = s.field(required("store", Type.oneOf(StoreType.class), "The kind of store."));
        Field<String> path = s.field(optional("path", Type.text(), "filesystem: the repository directory."));
        Field<String> bucket = s.field(optional("bucket", Type.text(), "s3, gcs: the bucket."));
        Field<String> container = s.field(optional("container", Type.text(), "azure: the blob container."));
        Field<String> account = s.field(optional("account", Type.text(), "azure: the storage account."));
        Field<String> location = s.field(optional("location", Type.text(), "s3: the AWS region (us-east-1 …); informational elsewhere."));
        Field<String> endpoint = s.field(optional("endpoint", Type.text(), "the provider's default",
                "Endpoint URL (S3-compatible servers, Azurite, https://storage.googleapis.com for gcs)."));
        Field<String> prefix = s.field(optional("prefix", Type.text(), "none", "Key prefix inside the bucket or container."));
        Field<Boolean> pathStyle = s.field(optional("path-style", Type.bool(), "false on AWS (amazonaws.com endpoints included); true for gcs and with another endpoint (S3-compatible servers, as the s3://…?endpoint= form)",
                "s3: use path-style URLs instead of virtual-host style."));
        Field<Secret> accessKey = s.field(optional("access-key", PlanTypes.secret(), "the SDK's default chain", "s3, gcs: access key id (gcs: HMAC key)."));
        Field<Secret> secretKey = s.field(optional("secret-key", PlanTypes.secret(), "the SDK's default chain", "s3, gcs: secret access key (gcs: HMAC secret)."));
        Field<Secret> accountKey = s.field(optional("account-key", PlanTypes.secret(), "azure: the storage account key."));
        Field<ObjectLockPolicy> objectLock = s.field(optional("object-lock", Type.object(objectLock()), "off",
                "s3: write every repository object with S3 Object Lock retention (the bucket must have Object Lock enabled)."));
        return s.builds(v -> new Region(v.name(), v.get(store), v.find(path), v.find(bucket), v.find(container),
                        v.find(account), v.find(location), v.find(endpoint), v.find(prefix),
                        v.getOr(pathStyle, v.get(store) == StoreType.GCS || v.find(endpoint).filter(RepositorySchema::s3Compatible).isPresent()),
                        v.find(accessKey), v.find(secretKey), v.find(accountKey),
                        v.find(objectLock)))
                .rule((r, v, b) -> {
                    Field<?> needed = switch (r.store()) {
                        case FILESYSTEM -> r.path().isEmpty() ? path : null;
                        case S3, GCS -> r.bucket().isEmpty() ? bucket : null;
                        case AZURE -> r.container().isEmpty() ? container : r.account().isEmpty() && r.endpoint().isEmpty() ? account : null;
                    };
                    if (needed != null) {
                        b.report(v.at(), ErrorCode.MISSING_KEY, ErrorCode.MISSING_KEY.format(v.path() + " (store "
                                + Type.spelling(r.store()) + ")", needed.key()), null);
                    }
                    if (r.objectLock().isPresent() && r.store() != StoreType.S3) {
                        b.report(v.at(objectLock), ErrorCode.IMPOSSIBLE_VALUE, v.path() + ".object-lock is only available on s3 regions",
                                "Remove it, or use the store's own immutability settings (GCS bucket retention, Azure immutability policies).");
                    }
                });
    }

    static ObjectSchema<ObjectLockPolicy> objectLock() {
        ObjectSchema<ObjectLockPolicy> s = ObjectSchema.of("object lock",
                "S3 Object Lock retention for repository objects: locked versions survive deletion, even with Lifeboat's credentials, until the period ends.");
        Field<ObjectLockPolicy.Mode> mode = s.field(optional("mode", Type.oneOf(ObjectLockPolicy.Mode.class), "governance",
                "governance (removable with a bypass permission) or compliance (removable by nobody)."));
        Field<Duration> retain = s.field(required("retain", PlanTypes.duration(), "How long each object stays locked after it is written, e.g. 30d."));
        return s.builds(v -> new ObjectLockPolicy(v.getOr(mode, ObjectLockPolicy.Mode.GOVERNANCE), v.get(retain)));
    }

    static ObjectSchema<Encryption> encryption() {
        ObjectSchema<Encryption> s = ObjectSchema.of("encryption",
                "AES-256-GCM on every object. The master key is unlocked by a passphrase or a key file.");
        Field<Boolean> enabled = s.field(optional("enabled", Type.bool(), "true", "Turn encryption off only for throw-away repositories."));
        Field<Secret> passphrase = s.field(optional("passphrase", PlanTypes.secret(), "Where to read the passphrase."));
        Field<Secret> keyFile = s.field(optional("key-file", PlanTypes.secret(), "Where to read a key file instead of a passphrase."));
        return s.builds(v -> new Encryption(v.getOr(enabled, true), v.find(passphrase), v.find(keyFile)))
                .rule((e, v, b) -> {
                    if (e.enabled() && e.passphrase().isEmpty() && e.keyFile().isEmpty()) {
                        b.report(v.at(), ErrorCode.MISSING_KEY, ErrorCode.MISSING_KEY.format(v.path(), "passphrase"),
                                "Encrypted repositories need passphrase: {env: LIFEBOAT_PASSPHRASE} or key-file: {file: PATH}.");
                    }
                    if (e.passphrase().isPresent() && e.keyFile().isPresent()) {
                        b.report(v.at(keyFile), ErrorCode.IMPOSSIBLE_VALUE, v.path() + ": both passphrase and key-file are given",
                                "Choose one way to unlock the master key.");
                    }
                });
    }

    static ObjectSchema<Compression> compression() {
        ObjectSchema<Compression> s = ObjectSchema.of("compression", "How chunks are compressed before they are encrypted.");
        Field<Compression.Algorithm> algorithm = s.field(optional("algorithm", Type.oneOf(Compression.Algorithm.class), "zstd",
                "zstd (default, good ratio), lz4 (fastest) or none."));
        Field<Integer> level = s.field(optional("level", Type.integer(-7, 22), "3 for zstd", "Compression level."));
        return s.builds(v -> new Compression(v.getOr(algorithm, Compression.Algorithm.ZSTD), v.getOr(level, 3)));
    }

    static ObjectSchema<Repository> repository() {
        ObjectSchema<Repository> s = ObjectSchema.of("repository",
                "Where backups go. A backup is committed once `commit-after` regions hold it; the others catch up in the background.");
        Field<Map<String, Region>> regions = s.field(required("regions", Type.namedMap(region(), Kind.REGION), "The regions by name."));
        Field<String> primary = s.field(optional("primary-region", Type.reference(Kind.REGION), "the first region", "The region written first and read first."));
        Field<Integer> commitAfter = s.field(optional("commit-after", Type.integer(1, 16), "1", "Regions that must hold a backup before it counts as committed."));
        Field<Encryption> encryption = s.field(optional("encryption", Type.object(encryption()), "on; a passphrase source is required",
                "Encryption settings."));
        Field<Compression> compression = s.field(optional("compression", Type.object(compression()), "zstd level 3", "Compression settings."));
        return s.builds(v -> new Repository(v.get(regions),
                        v.find(primary).orElseGet(() -> v.get(regions).keySet().stream().findFirst().orElse("")),
                        v.getOr(commitAfter, 1),
                        v.getOr(encryption, new Encryption(true, Optional.empty(), Optional.empty())),
                        v.getOr(compression, new Compression(Compression.Algorithm.ZSTD, 3))))
                .rule((r, v, b) -> {
                    if (r.regions().isEmpty()) {
                        b.report(v.at(regions), ErrorCode.IMPOSSIBLE_VALUE, v.path() + ".regions: no region is defined",
                                "Define at least one region, e.g. local: {store: filesystem, path: /var/lib/lifeboat/repo}.");
                    }
                    if (r.commitAfter() > r.regions().size()) {
                        b.report(v.at(commitAfter), ErrorCode.IMPOSSIBLE_VALUE, v.path() + ".commit-after: " + r.commitAfter()
                                + " regions are required but only " + r.regions().size() + " are defined",
                                "commit-after can be at most the number of regions.");
                    }
                    if (!v.has(encryption)) {
                        b.report(v.at(), ErrorCode.MISSING_KEY, ErrorCode.MISSING_KEY.format(v.path(), "encryption"),
                                "Encryption is on by default and needs a key source: encryption: {passphrase: {env: LIFEBOAT_PASSPHRASE}}; "
                                        + "write encryption: {enabled: false} to turn it off.");
                    }
                });
    }

    /** An endpoint of an S3-compatible server (MinIO, Ceph), not of AWS itself (FIPS, VPC, accelerate endpoints), which wants virtual-host style. */
    static boolean s3Compatible(String endpoint) {
        String host = java.net.URI.create(endpoint.contains("://") ? endpoint : "https://" + endpoint).getHost();
        return host == null || !host.endsWith(".amazonaws.com");
    }
}
