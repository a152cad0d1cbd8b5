package dev.lifeboat.store.s3;

import java.time.Duration;
import java.util.Optional;

/**
 * Where and how to reach an S3 bucket.
 *
 * @param endpoint           endpoint URL; empty for AWS (chosen by region); {@code https://storage.googleapis.com} for GCS
 * @param region             signing region (AWS region; {@code auto} or any value for GCS and most S3-compatibles)
 * @param bucket             the bucket
 * @param prefix             key prefix inside the bucket ("" for none; a trailing / is added)
 * @param pathStyle          path-style URLs ({@code endpoint/bucket/key}) instead of virtual-host style
 * @param accessKey          access key id (GCS: HMAC key), or empty for the SDK's default credential chain
 * @param secretKey          secret access key (GCS: HMAC secret)
 * @param multipartThreshold objects larger than this are uploaded in parts
 * @param partSize           part size for multipart uploads (S3's minimum is 5 MiB)
 * @param timeout            limit for one HTTP attempt
 * @param objectLock         retention to request on every repository object (the bucket must have Object Lock)
 */
public record S3Config(Optional<String> endpoint, String region, String bucket, String prefix, boolean pathStyle,
                       Optional<String> accessKey, Optional<String> secretKey, long multipartThreshold, int partSize,
                       Duration timeout, Optional<ObjectLock> objectLock) {
    public S3Config(Optional<String> endpoint, String region, String bucket, String prefix, boolean pathStyle,
                    Optional<String> accessKey, Optional<String> secretKey, long multipartThreshold, int partSize, Duration timeout) {
        this(endpoint, region, bucket, prefix, pathStyle, accessKey, secretKey, multipartThreshold, partSize, timeout, Optional.empty());
    }

    public static final long DEFAULT_MULTIPART_THRESHOLD = 64L * 1024 * 1024;
    public static final int DEFAULT_PART_SIZE = 16 * 1024 * 1024;

    public static S3Config of(String endpoint, String region, String bucket, String accessKey, String secretKey) {
        return new S3Config(Optional.ofNullable(endpoint), region, bucket, "", true, Optional.ofNullable(accessKey),
                Optional.ofNullable(secretKey), DEFAULT_MULTIPART_THRESHOLD, DEFAULT_PART_SIZE, Duration.ofSeconds(60));
    }

    public S3Config withPrefix(String p) {
        return new S3Config(endpoint, region, bucket, p, pathStyle, accessKey, secretKey, multipartThreshold, partSize, timeout, objectLock);
    }

    public S3Config withMultipart(long threshold, int part) {
        return new S3Config(endpoint, region, bucket, prefix, pathStyle, accessKey, secretKey, threshold, part, timeout, objectLock);
    }

    public S3Config withTimeout(Duration t) {
        return new S3Config(endpoint, region, bucket, prefix, pathStyle, accessKey, secretKey, multipartThreshold, partSize, t, objectLock);
    }

    public S3Config withObjectLock(ObjectLock lock) {
        return new S3Config(endpoint, region, bucket, prefix, pathStyle, accessKey, secretKey, multipartThreshold, partSize, timeout,
                Optional.of(lock));
    }

    @Override
    public String toString() {
        // Never the secret.
        return "S3Config[" + endpoint.orElse("aws") + ", " + bucket + "/" + prefix + "]";
    }
}
