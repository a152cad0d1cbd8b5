package dev.lifeboat.store.s3;

import dev.lifeboat.repository.store.Leftovers;
import dev.lifeboat.repository.store.ObjectInfo;
import dev.lifeboat.repository.store.ObjectNames;
import dev.lifeboat.repository.store.ObjectStore;
import dev.lifeboat.repository.store.StoreException;
import dev.lifeboat.repository.store.StoreFeatures;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.CompletedMultipartUpload;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.NoSuchUploadException;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The repository on S3 or an S3-compatible service (including Google Cloud Storage's XML API with HMAC keys).
 *
 * <p>Each PUT is atomic on S3: a reader sees the old object or the whole new one. Objects above the multipart
 * threshold are uploaded in parts and completed at once (an aborted upload leaves nothing visible). The SDK's own
 * retries are off: transient failures are classified {@code RETRYABLE} and retried with backoff by
 * {@code RetryingObjectStore}. Checksums are only sent where the API requires them, because several
 * S3-compatible services (and GCS) reject the SDK's newer default trailing checksums. Bodies are sent whole, never
 * as {@code aws-chunked} (the SDK's default over plain HTTP): S3Proxy left an empty chunked body unread and its
 * server closed the connection unannounced, so the next request on it failed with "Broken pipe".
 */
public final class S3ObjectStore implements ObjectStore {
    private final S3Config config;
    /** Package-private for tests that play a writer killed mid-upload. */
    final S3Client s3;
    private final String prefix;
    private volatile Boolean conditionalPut;

    public S3ObjectStore(S3Config config) {
        this.config = config;
        this.prefix = config.prefix().isEmpty() || config.prefix().endsWith("/") ? config.prefix() : config.prefix() + "/";
        S3ClientBuilder b = S3Client.builder()
                .region(Region.of(config.region()))
                .forcePathStyle(config.pathStyle())
                .serviceConfiguration(c -> c.chunkedEncodingEnabled(false))
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .httpClientBuilder(ApacheHttpClient.builder().maxConnections(16).connectionTimeout(java.time.Duration.ofSeconds(5))
                        .socketTimeout(config.timeout()))
                .overrideConfiguration(o -> o.retryStrategy(r -> r.maxAttempts(1)).apiCallAttemptTimeout(config.timeout()));
        config.endpoint().ifPresent(e -> b.endpointOverride(URI.create(e)));
        if (config.accessKey().isPresent()) {
            b.credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(config.accessKey().get(),
                    config.secretKey().orElse(""))));
        } else {
            b.credentialsProvider(DefaultCredentialsProvider.builder().build());
        }
        this.s3 = b.build();
    }

    /**
     * Over plain HTTP (a MinIO or S3Proxy on the LAN) nothing below checks the bytes in transit: a Content-MD5 makes the
     * server refuse a body corrupted on the way, instead of storing it for verify to find later. Over HTTPS, TLS does.
     */
    private String digest(byte[] data, int offset, int length) {
        if (!config.endpoint().map(e -> e.startsWith("http://")).orElse(false)) {
            return null;
        }
        try {
            java.security.MessageDigest md5 = java.security.MessageDigest.getInstance("MD5");
            md5.update(data, offset, length);
            return java.util.Base64.getEncoder().encodeToString(md5.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is not available", e);
        }
    }

    private String key(String name) {
        return prefix + ObjectNames.check(name);
    }

    @Override
    public void put(String name, byte[] data) {
        call(name, () -> {
            if (data.length > config.multipartThreshold()) {
                multipart(name, data);
            } else {
                s3.putObject(r -> locked(name, r.bucket(config.bucket()).key(key(name)).contentLength((long) data.length)
                                .contentMD5(digest(data, 0, data.length))), RequestBody.fromBytes(data));
            }
            return null;
        });
    }

    /**
     * Adds the retention to a PUT of a repository object when Object Lock is configured. S3 requires an integrity
     * checksum on PUTs that carry Object Lock parameters, so one is requested explicitly then.
     */
    private software.amazon.awssdk.services.s3.model.PutObjectRequest.Builder locked(String name,
            software.amazon.awssdk.services.s3.model.PutObjectRequest.Builder r) {
        if (config.objectLock().isPresent() && !name.startsWith("locks/")) {
            ObjectLock lock = config.objectLock().get();
            r.objectLockMode(lock.mode()).objectLockRetainUntilDate(java.time.Instant.now().plus(lock.retain()))
                    .checksumAlgorithm(software.amazon.awssdk.services.s3.model.ChecksumAlgorithm.CRC32);
        }
        return r;
    }

    @Override
    public Optional<java.time.Duration> retention() {
        return config.objectLock().map(ObjectLock::retain);
    }

    /** {@code PutObjectRetention}: the object's current version locked for a full period from now, in the configured mode. */
    @Override
    public void extendRetention(String name) {
        if (config.objectLock().isEmpty() || name.startsWith("locks/")) {
            return;
        }
        ObjectLock lock = config.objectLock().get();
        call(name, () -> s3.putObjectRetention(r -> r.bucket(config.bucket()).key(key(name))
                .retention(software.amazon.awssdk.services.s3.model.ObjectLockRetention.builder()
                        .mode(lock.mode()).retainUntilDate(java.time.Instant.now().plus(lock.retain())).build())
                .checksumAlgorithm(software.amazon.awssdk.services.s3.model.ChecksumAlgorithm.CRC32)));
    }

    private void multipart(String name, byte[] data) {
        String key = key(name);
        String upload = s3.createMultipartUpload(r -> {
            r.bucket(config.bucket()).key(key);
            config.objectLock().filter(l -> !name.startsWith("locks/")).ifPresent(l -> r.objectLockMode(l.mode())
                    .objectLockRetainUntilDate(java.time.Instant.now().plus(l.retain()))
                    .checksumAlgorithm(software.amazon.awssdk.services.s3.model.ChecksumAlgorithm.CRC32));
        }).uploadId();
        try {
            List<CompletedPart> parts = new ArrayList<>();
            int number = 1;
            for (long off = 0; off < data.length; off += config.partSize(), number++) {
                int len = (int) Math.min(config.partSize(), data.length - off);
                int n = number;
                int from = (int) off;
                var part = s3.uploadPart(r -> {
                            r.bucket(config.bucket()).key(key).uploadId(upload).partNumber(n).contentLength((long) len)
                                    .contentMD5(digest(data, from, len));
                            if (config.objectLock().isPresent() && !name.startsWith("locks/")) {
                                r.checksumAlgorithm(software.amazon.awssdk.services.s3.model.ChecksumAlgorithm.CRC32);
                            }
                        },
                        // A copy per part: a wrapped slice via fromByteBuffer uploaded wrong bytes (S3ObjectStoreIT caught it).
                        RequestBody.fromBytes(java.util.Arrays.copyOfRange(data, (int) off, (int) off + len)));
                parts.add(CompletedPart.builder().partNumber(number).eTag(part.eTag()).checksumCRC32(part.checksumCRC32()).build());
            }
            s3.completeMultipartUpload(r -> r.bucket(config.bucket()).key(key).uploadId(upload)
                    .multipartUpload(CompletedMultipartUpload.builder().parts(parts).build()));
        } catch (RuntimeException e) {
            try {
                s3.abortMultipartUpload(r -> r.bucket(config.bucket()).key(key).uploadId(upload));
            } catch (RuntimeException ignored) {
                // The bucket's lifecycle rule for incomplete uploads cleans up what this could not.
            }
            throw e;
        }
    }

    /**
     * Uses S3's conditional write ({@code If-None-Match: *}) where the service supports it; otherwise a HEAD then
     * a PUT, which two racing writers could both pass ({@link #features()} says which).
     */
    @Override
    public boolean putIfAbsent(String name, byte[] data) {
        return call(name, () -> {
            if (!Boolean.FALSE.equals(conditionalPut)) {
                try {
                    s3.putObject(r -> locked(name, r.bucket(config.bucket()).key(key(name)).ifNoneMatch("*").contentLength((long) data.length)
                                    .contentMD5(digest(data, 0, data.length))),
                            RequestBody.fromBytes(data));
                    conditionalPut = Boolean.TRUE;
                    return true;
                } catch (S3Exception e) {
                    if (e.statusCode() == 412) {
                        conditionalPut = Boolean.TRUE;
                        return false;
                    }
                    if (e.statusCode() == 409) {
                        // ConditionalRequestConflict: a concurrent write to the name was in flight; S3 says to retry,
                        // and the retry's 412 or 200 tells who won.
                        conditionalPut = Boolean.TRUE;
                        throw new StoreException(StoreException.Kind.RETRYABLE, name, location() + " " + name
                                + ": HTTP 409 (a concurrent conditional write)", e);
                    }
                    // A service without conditional writes answers 501 or 400 the first time it is asked. Once one
                    // succeeded here, a 400 is about this request, not the feature: it is not a reason to fall back
                    // to the racy HEAD-then-PUT for the rest of the run.
                    if (e.statusCode() != 501 && e.statusCode() != 400 || Boolean.TRUE.equals(conditionalPut)) {
                        throw e;
                    }
                    conditionalPut = Boolean.FALSE;
                }
            }
            if (stat(name).isPresent()) {
                return false;
            }
            s3.putObject(r -> locked(name, r.bucket(config.bucket()).key(key(name)).contentLength((long) data.length)
                    .contentMD5(digest(data, 0, data.length))), RequestBody.fromBytes(data));
            return true;
        });
    }

    @Override
    public byte[] get(String name) {
        return call(name, () -> {
            ResponseBytes<GetObjectResponse> b = s3.getObjectAsBytes(r -> r.bucket(config.bucket()).key(key(name)));
            return b.asByteArray();
        });
    }

    @Override
    public byte[] get(String name, long offset, int length) {
        if (offset < 0 || length < 0) {
            throw new IllegalArgumentException("negative range " + offset + "+" + length);
        }
        return call(name, () -> {
            if (length == 0) {
                if (stat(name).isEmpty()) {
                    throw StoreException.notFound(location(), name);
                }
                return new byte[0];
            }
            try {
                return s3.getObjectAsBytes(r -> r.bucket(config.bucket()).key(key(name)).range("bytes=" + offset + "-" + (offset + length - 1)))
                        .asByteArray();
            } catch (S3Exception e) {
                if (e.statusCode() == 416) {
                    if (stat(name).isEmpty()) {
                        throw StoreException.notFound(location(), name);
                    }
                    return new byte[0];
                }
                throw e;
            }
        });
    }

    @Override
    public Optional<ObjectInfo> stat(String name) {
        return call(name, () -> {
            try {
                HeadObjectResponse h = s3.headObject(r -> r.bucket(config.bucket()).key(key(name)));
                return Optional.of(new ObjectInfo(name, h.contentLength(), h.lastModified()));
            } catch (NoSuchKeyException e) {
                return Optional.empty();
            } catch (S3Exception e) {
                if (e.statusCode() == 404) {
                    return Optional.empty();
                }
                throw e;
            }
        });
    }

    @Override
    public List<ObjectInfo> list(String listPrefix) {
        return call(listPrefix, () -> {
            List<ObjectInfo> out = new ArrayList<>();
            String token = null;
            do {
                ListObjectsV2Request.Builder req = ListObjectsV2Request.builder().bucket(config.bucket()).prefix(prefix + listPrefix);
                if (token != null) {
                    req.continuationToken(token);
                }
                ListObjectsV2Response page = s3.listObjectsV2(req.build());
                for (S3Object o : page.contents()) {
                    // A console's "folder" is a zero-byte key ending in '/': not an object of the repository.
                    if (!o.key().endsWith("/")) {
                        out.add(new ObjectInfo(o.key().substring(prefix.length()), o.size(), o.lastModified()));
                    }
                }
                token = Boolean.TRUE.equals(page.isTruncated()) ? page.nextContinuationToken() : null;
            } while (token != null);
            return out;
        });
    }

    /**
     * Uploads in parts under this repository's prefix that were started before {@code before} and never completed
     * or aborted (a writer killed mid-upload): the service keeps their parts, and bills them, until a lifecycle rule
     * or this removes them. Their size is not counted (it would take a request per upload). Only uploads of the
     * repository's own kinds of objects count: a bucket shared with other writers keeps their uploads.
     */
    @Override
    public Leftovers leftovers(java.time.Instant before) {
        return call("(uploads)", () -> new Leftovers(unfinishedUploads(before).size(), 0));
    }

    @Override
    public Leftovers removeLeftovers(java.time.Instant before) {
        return call("(uploads)", () -> {
            int removed = 0;
            for (MultipartUpload u : unfinishedUploads(before)) {
                try {
                    s3.abortMultipartUpload(r -> r.bucket(config.bucket()).key(u.key()).uploadId(u.uploadId()));
                    removed++;
                } catch (NoSuchUploadException e) {
                    // completed or aborted meanwhile
                }
            }
            return new Leftovers(removed, 0);
        });
    }

    private static final List<String> REPOSITORY_DIRS = List.of(dev.lifeboat.repository.Layout.DATA, dev.lifeboat.repository.Layout.INDEX,
            dev.lifeboat.repository.Layout.SNAPSHOTS, dev.lifeboat.repository.Layout.WAL, dev.lifeboat.repository.Layout.KEYS,
            dev.lifeboat.repository.Layout.KEYRING, dev.lifeboat.repository.Layout.LOCKS);

    /** Empty when the credentials may not list uploads: housekeeping never fails a prune, a lifecycle rule can do it. */
    private List<MultipartUpload> unfinishedUploads(java.time.Instant before) {
        List<MultipartUpload> out = new ArrayList<>();
        try {
            listUploads(before, out);
        } catch (S3Exception e) {
            if (e.statusCode() != 403) {
                throw e;
            }
            out.clear();
        }
        return out;
    }

    private void listUploads(java.time.Instant before, List<MultipartUpload> out) {
        for (var page : s3.listMultipartUploadsPaginator(r -> r.bucket(config.bucket()).prefix(prefix))) {
            for (MultipartUpload u : page.uploads()) {
                String name = u.key().substring(prefix.length());
                boolean ours = REPOSITORY_DIRS.stream().anyMatch(name::startsWith) || name.equals(dev.lifeboat.repository.Layout.CONFIG);
                if (ours && u.initiated() != null && u.initiated().isBefore(before)) {
                    out.add(u);
                }
            }
        }
    }

    @Override
    public void delete(String name) {
        try {
            call(name, () -> {
                s3.deleteObject(r -> r.bucket(config.bucket()).key(key(name)));
                return null;
            });
        } catch (StoreException e) {
            // Idempotent, as the contract says: GCS answers 404 for an absent object (and for a retried delete whose
            // first attempt removed it), S3 204.
            if (e.kind() != StoreException.Kind.NOT_FOUND) {
                throw e;
            }
        }
    }

    @Override
    public StoreFeatures features() {
        return new StoreFeatures(Boolean.TRUE.equals(conditionalPut), config.objectLock().isPresent(), config.objectLock().isPresent());
    }

    @Override
    public String location() {
        return "s3://" + config.bucket() + "/" + prefix + config.endpoint().map(e -> " at " + e).orElse("");
    }

    @Override
    public void close() {
        s3.close();
    }

    private interface Call<T> {
        T run();
    }

    /** Runs an S3 call, turning SDK failures into classified store failures. */
    private <T> T call(String object, Call<T> call) {
        String name = object.isEmpty() ? "(listing)" : object;
        try {
            return call.run();
        } catch (StoreException e) {
            throw e;
        } catch (NoSuchKeyException e) {
            throw StoreException.notFound(location(), object);
        } catch (S3Exception e) {
            int status = e.statusCode();
            // A HEAD's error has no body, so no error code (the SDK leaves it null), nor has a proxy's HTML 5xx.
            String code = e.awsErrorDetails() != null && e.awsErrorDetails().errorCode() != null ? e.awsErrorDetails().errorCode() : "";
            if (status == 404 && !"NoSuchBucket".equals(code)) {
                throw StoreException.notFound(location(), object);
            }
            boolean transient_ = status >= 500 || status == 429 || "SlowDown".equals(code) || "RequestTimeout".equals(code);
            throw new StoreException(transient_ ? StoreException.Kind.RETRYABLE : StoreException.Kind.PERMANENT, object,
                    location() + " " + name + ": HTTP " + status + (code.isEmpty() ? "" : " " + code), e);
        } catch (SdkClientException e) {
            // No credentials anywhere in the chain (or a refused web identity) is not cured by retrying.
            String why = String.valueOf(e.getMessage());
            // A throttled or timed-out STS call on the way to credentials is transient, though. (The chain's message
            // names IMDS whenever no credentials are found anywhere, so that word alone says nothing.)
            boolean passing = why.contains("timed out") || why.contains("Throttl") || why.contains("Unable to execute HTTP request");
            boolean credentials = !passing && (why.contains("Unable to load credentials") || why.contains("credentials") && e.getCause() == null);
            throw new StoreException(credentials ? StoreException.Kind.PERMANENT : StoreException.Kind.RETRYABLE, object,
                    location() + " " + name + ": " + e.getMessage(), e);
        } catch (SdkException e) {
            throw new StoreException(StoreException.Kind.RETRYABLE, object, location() + " " + name + ": " + e.getMessage(), e);
        }
    }
}
