package org.dicomrelay.providers.s3;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

/**
 * The settings of SQS notifications, under {@code sqs.}: {@code sqs.endpoint} (default: AWS's for
 * the region), {@code sqs.region} (default: the provider's {@code region}, else us-east-1),
 * {@code sqs.queuePrefix} (default "dicom-relay-"), {@code sqs.visibilitySeconds} (default 60),
 * {@code sqs.createQueue} (default true: a router creates its own inbox queue). Credentials as for
 * S3 ({@code accessKeyId}/{@code secretAccessKey} or the SDK's default chain).
 */
public record SqsSettings(URI endpoint, String region, String queuePrefix, Duration visibilityTimeout, boolean createQueue,
                          String accessKeyId, String secretAccessKey) {
    public static final String ENDPOINT = "sqs.endpoint";
    public static final String REGION = "sqs.region";
    public static final String QUEUE_PREFIX = "sqs.queuePrefix";
    public static final String VISIBILITY_SECONDS = "sqs.visibilitySeconds";
    public static final String CREATE_QUEUE = "sqs.createQueue";

    public SqsSettings {
        if (region == null || region.isBlank()) region = "us-east-1";
        if (queuePrefix == null) queuePrefix = "dicom-relay-";
        if (!queuePrefix.matches("[A-Za-z0-9_-]{0,16}")) {
            throw new IllegalArgumentException("setting '" + QUEUE_PREFIX + "' must be at most 16 of [A-Za-z0-9_-]");
        }
        long v = visibilityTimeout.toSeconds();
        if (v < 1 || v > 43_200) throw new IllegalArgumentException("setting '" + VISIBILITY_SECONDS + "' must be 1 to 43200 (SQS's range)");
    }

    public static SqsSettings of(Map<String, String> s) {
        String endpoint = S3Settings.blankToNull(s.get(ENDPOINT));
        String region = S3Settings.blankToNull(s.getOrDefault(REGION, s.get(S3Settings.REGION)));
        return new SqsSettings(endpoint == null ? null : URI.create(endpoint), region, s.get(QUEUE_PREFIX),
                Duration.ofSeconds(Settings.intOf(s, VISIBILITY_SECONDS, 60)), Boolean.parseBoolean(s.getOrDefault(CREATE_QUEUE, "true").trim()),
                S3Settings.blankToNull(s.get(S3Settings.ACCESS_KEY_ID)), S3Settings.blankToNull(s.get(S3Settings.SECRET_ACCESS_KEY)));
    }

    /** The queue of a router's inbox. */
    public String queueName(String routerId) {
        return queuePrefix + routerId;
    }

    /** Never the secret. */
    @Override
    public String toString() {
        return "SqsSettings[endpoint=" + endpoint + ", region=" + region + ", queuePrefix=" + queuePrefix + ", visibilityTimeout="
                + visibilityTimeout + ", createQueue=" + createQueue + ", credentials=" + (accessKeyId == null ? "default chain" : "configured") + "]";
    }
}
