package org.dicomrelay.providers.s3;

import java.net.URI;
import java.util.Map;

/**
 * The settings of Cloud IO "s3" (from router.yaml's {@code cloud.settings}, over the Bridge's
 * non-secret assignment). Credentials: {@code accessKeyId} + {@code secretAccessKey} when given,
 * else the SDK's default chain (environment, profile, instance role).
 *
 * @param endpoint      any S3-compatible endpoint (MinIO, Ceph, GCS's XML API); null for AWS itself
 * @param region        signing region (default us-east-1)
 * @param bucket        where blobs live (must exist)
 * @param prefix        key prefix for this relay's blobs (default none)
 * @param pathStyle     {@code https://host/bucket/key} instead of {@code https://bucket.host/key}
 * @param partBytes     multipart part size, at least 5 MiB (S3's minimum for all but the last part)
 * @param partsInFlight parts uploaded or downloaded in parallel per blob
 * @param transferThreads part transfers of all blobs at once (the store's thread bound)
 */
public record S3Settings(URI endpoint, String region, String bucket, String prefix, boolean pathStyle,
                         String accessKeyId, String secretAccessKey, int partBytes, int partsInFlight, int transferThreads) {
    public static final String ENDPOINT = "endpoint";
    public static final String REGION = "region";
    public static final String BUCKET = "bucket";
    public static final String PREFIX = "prefix";
    public static final String PATH_STYLE = "pathStyle";
    public static final String ACCESS_KEY_ID = "accessKeyId";
    public static final String SECRET_ACCESS_KEY = "secretAccessKey";
    public static final String PART_BYTES = "partBytes";
    public static final String PARTS_IN_FLIGHT = "partsInFlight";
    public static final String TRANSFER_THREADS = "transferThreads";

    public static final int MIN_PART_BYTES = 5 * 1024 * 1024;
    public static final int DEFAULT_PART_BYTES = 8 * 1024 * 1024;
    public static final int DEFAULT_PARTS_IN_FLIGHT = 4;
    public static final int DEFAULT_TRANSFER_THREADS = 16;

    public S3Settings {
        if (bucket == null || bucket.isBlank()) throw new IllegalArgumentException("Cloud IO provider 's3' needs the setting '" + BUCKET + "'");
        if (region == null || region.isBlank()) region = "us-east-1";
        prefix = prefix == null ? "" : prefix;
        if ((accessKeyId == null) != (secretAccessKey == null)) {
            throw new IllegalArgumentException("Cloud IO provider 's3': give both '" + ACCESS_KEY_ID + "' and '" + SECRET_ACCESS_KEY
                    + "', or neither (then the SDK's default credential chain is used)");
        }
        if (partBytes < MIN_PART_BYTES) throw new IllegalArgumentException("Cloud IO provider 's3': '" + PART_BYTES + "' must be at least " + MIN_PART_BYTES);
        if (partsInFlight < 1) throw new IllegalArgumentException("Cloud IO provider 's3': '" + PARTS_IN_FLIGHT + "' must be at least 1");
        if (transferThreads < 1) throw new IllegalArgumentException("Cloud IO provider 's3': '" + TRANSFER_THREADS + "' must be at least 1");
    }

    public static S3Settings of(Map<String, String> s) {
        String endpoint = blankToNull(s.get(ENDPOINT));
        return new S3Settings(endpoint == null ? null : URI.create(endpoint), s.get(REGION), s.get(BUCKET), s.get(PREFIX),
                Boolean.parseBoolean(s.getOrDefault(PATH_STYLE, "false").trim()), blankToNull(s.get(ACCESS_KEY_ID)),
                blankToNull(s.get(SECRET_ACCESS_KEY)), Settings.intOf(s, PART_BYTES, DEFAULT_PART_BYTES),
                Settings.intOf(s, PARTS_IN_FLIGHT, DEFAULT_PARTS_IN_FLIGHT), Settings.intOf(s, TRANSFER_THREADS, DEFAULT_TRANSFER_THREADS));
    }

    static String blankToNull(String v) {
        return v == null || v.isBlank() ? null : v.trim();
    }

    /** Never the secret: records print their components. */
    @Override
    public String toString() {
        return "S3Settings[endpoint=" + endpoint + ", region=" + region + ", bucket=" + bucket + ", prefix=" + prefix + ", pathStyle="
                + pathStyle + ", credentials=" + (accessKeyId == null ? "default chain" : "configured") + ", partBytes=" + partBytes
                + ", partsInFlight=" + partsInFlight + ", transferThreads=" + transferThreads + "]";
    }
}
