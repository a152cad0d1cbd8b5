package dev.lifeboat.cli;

import dev.lifeboat.core.error.ErrorCode;
import dev.lifeboat.core.error.LifeboatException;
import dev.lifeboat.core.plan.Region;
import dev.lifeboat.core.plan.Secret;
import dev.lifeboat.repository.store.FilesystemObjectStore;
import dev.lifeboat.repository.store.ObjectStore;
import dev.lifeboat.store.azure.AzureConfig;
import dev.lifeboat.store.azure.AzureObjectStore;
import dev.lifeboat.store.s3.ObjectLock;
import dev.lifeboat.store.s3.S3Config;
import dev.lifeboat.store.s3.S3ObjectStore;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Opens the store a location names.
 *
 * <ul>
 *   <li>{@code /path} or {@code file:/path}: a directory.</li>
 *   <li>{@code s3://bucket/prefix?endpoint=URL&region=R&path-style=true}: S3 or an S3-compatible server; credentials
 *       from the AWS default chain ({@code AWS_ACCESS_KEY_ID}/{@code AWS_SECRET_ACCESS_KEY}, profiles, instance roles).</li>
 *   <li>{@code gs://bucket/prefix}: Google Cloud Storage through its S3-compatible XML API, with HMAC keys in
 *       {@code AWS_ACCESS_KEY_ID}/{@code AWS_SECRET_ACCESS_KEY}.</li>
 * </ul>
 */
final class Stores {
    private final Map<String, String> env;

    Stores(Map<String, String> env) {
        this.env = env;
    }

    ObjectStore open(String location) {
        if (location.startsWith("s3://") || location.startsWith("gs://")) {
            boolean gcs = location.startsWith("gs://");
            Map<String, String> query = new HashMap<>();
            String rest = splitQuery(location.substring(5), query);
            int slash = rest.indexOf('/');
            String bucket = slash < 0 ? rest : rest.substring(0, slash);
            String prefix = slash < 0 ? "" : rest.substring(slash + 1);
            if (bucket.isEmpty()) {
                throw new LifeboatException(ErrorCode.USAGE, "no bucket in " + location, "Write s3://BUCKET/PREFIX.");
            }
            String endpoint = query.getOrDefault("endpoint", gcs ? "https://storage.googleapis.com" : env.get("LIFEBOAT_S3_ENDPOINT"));
            S3Config c = new S3Config(Optional.ofNullable(endpoint), query.getOrDefault("region", gcs ? "auto" : env.getOrDefault("AWS_REGION", "us-east-1")),
                    bucket, prefix, Boolean.parseBoolean(query.getOrDefault("path-style", endpoint != null ? "true" : "false")),
                    // Temporary credentials (SSO, assume-role, OIDC) come with a session token, which the AWS default
                    // chain reads from the environment too: with one set, the chain is used instead of the bare keys.
                    Optional.ofNullable(env.get("AWS_ACCESS_KEY_ID")).filter(k -> env.get("AWS_SESSION_TOKEN") == null),
                    Optional.ofNullable(env.get("AWS_SECRET_ACCESS_KEY")).filter(k -> env.get("AWS_SESSION_TOKEN") == null),
                    S3Config.DEFAULT_MULTIPART_THRESHOLD, S3Config.DEFAULT_PART_SIZE, Duration.ofSeconds(60));
            return new S3ObjectStore(c);
        }
        if (location.startsWith("azure://")) {
            Map<String, String> query = new HashMap<>();
            String rest = splitQuery(location.substring("azure://".length()), query);
            String[] parts = rest.split("/", 3);
            if (parts.length < 2 || parts[0].isEmpty() || parts[1].isEmpty()) {
                throw new LifeboatException(ErrorCode.USAGE, "no account or container in " + location, "Write azure://ACCOUNT/CONTAINER/PREFIX.");
            }
            String key = env.get("AZURE_STORAGE_KEY");
            if (key == null || key.isEmpty()) {
                throw LifeboatException.of(ErrorCode.KEY_REQUIRED, "the Azure account key is read from $AZURE_STORAGE_KEY, which is not set");
            }
            String endpoint = query.getOrDefault("endpoint", "https://" + parts[0] + ".blob.core.windows.net");
            return new AzureObjectStore(new AzureConfig(endpoint, parts[0], key, parts[1], parts.length > 2 ? parts[2] : "", Duration.ofSeconds(60)));
        }
        String path = location.startsWith("file:") ? location.substring("file:".length()) : location;
        return new FilesystemObjectStore(Path.of(path));
    }

    /** The part before '?'; the query parameters go into {@code query}. */
    private static String splitQuery(String s, Map<String, String> query) {
        int q = s.indexOf('?');
        if (q < 0) {
            return s;
        }
        for (String kv : s.substring(q + 1).split("&")) {
            int eq = kv.indexOf('=');
            if (eq > 0) {
                query.put(kv.substring(0, eq), URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return s.substring(0, q);
    }

    ObjectStore open(Region region) {
        switch (region.store()) {
            case FILESYSTEM:
                return new FilesystemObjectStore(Path.of(region.path().orElseThrow()));
            case S3:
            case GCS: {
                boolean gcs = region.store() == dev.lifeboat.core.plan.StoreType.GCS;
                Optional<String> endpoint = region.endpoint().or(() -> gcs ? Optional.of("https://storage.googleapis.com") : Optional.empty());
                S3Config c = new S3Config(endpoint, region.location().orElse(gcs ? "auto" : "us-east-1"), region.bucket().orElseThrow(),
                        region.prefix().orElse(""), region.pathStyle(), region.accessKey().map(this::resolve),
                        region.secretKey().map(this::resolve), S3Config.DEFAULT_MULTIPART_THRESHOLD, S3Config.DEFAULT_PART_SIZE,
                        Duration.ofSeconds(60));
                if (region.objectLock().isPresent()) {
                    c = c.withObjectLock(new ObjectLock(region.objectLock().get().mode().name(), region.objectLock().get().retain()));
                }
                return new S3ObjectStore(c);
            }
            default: {
                String account = region.account().orElse("devstoreaccount1");
                String key = region.accountKey().map(this::resolve).orElseGet(() -> env.getOrDefault("AZURE_STORAGE_KEY", ""));
                if (key.isEmpty()) {
                    throw LifeboatException.of(ErrorCode.KEY_REQUIRED, "region " + region.name() + " has no account-key and $AZURE_STORAGE_KEY is not set");
                }
                return new AzureObjectStore(new AzureConfig(region.endpoint().orElse("https://" + account + ".blob.core.windows.net"), account,
                        key, region.container().orElseThrow(), region.prefix().orElse(""), Duration.ofSeconds(60)));
            }
        }
    }

    /** A secret's value, read now from its source; never logged. */
    String resolve(Secret s) {
        if (s.env().isPresent()) {
            String v = env.get(s.env().get());
            if (v == null || v.isEmpty()) {
                throw LifeboatException.of(ErrorCode.KEY_REQUIRED, "the plan reads a secret from $" + s.env().get() + ", which is not set");
            }
            return v;
        }
        try {
            Path file = Path.of(s.file().orElseThrow());
            String value = Files.readString(file).strip();
            dev.lifeboat.core.io.SecretFile.looseMode(file, "secret file").ifPresent(Lifeboat::warn);
            return value;
        } catch (IOException e) {
            throw LifeboatException.of(ErrorCode.KEY_REQUIRED, "cannot read the secret file " + s.file().orElseThrow() + ": " + e.getMessage());
        }
    }
}
