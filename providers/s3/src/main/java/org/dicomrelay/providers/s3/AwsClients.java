package org.dicomrelay.providers.s3;

import java.net.URI;
import java.time.Duration;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * SDK clients on the JDK's HTTP client (url-connection: no Netty or Apache in the cli jar).
 * Checksums only where the API requires them: S3-compatible servers (S3Proxy among them) reject
 * the newer default trailing checksums.
 */
final class AwsClients {
    private AwsClients() {}

    static SdkHttpClient http() {
        return UrlConnectionHttpClient.builder().connectionTimeout(Duration.ofSeconds(10)).socketTimeout(Duration.ofMinutes(2)).build();
    }

    static AwsCredentialsProvider credentials(String accessKeyId, String secretAccessKey) {
        if (accessKeyId == null) return DefaultCredentialsProvider.builder().build();
        return StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKeyId, secretAccessKey));
    }

    static S3Client s3(S3Settings s) {
        var b = S3Client.builder().httpClient(http()).region(Region.of(s.region()))
                .credentialsProvider(credentials(s.accessKeyId(), s.secretAccessKey()))
                .forcePathStyle(s.pathStyle())
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
        if (s.endpoint() != null) b.endpointOverride(s.endpoint());
        return b.build();
    }

    static SqsClient sqs(URI endpoint, String region, String accessKeyId, String secretAccessKey) {
        var b = SqsClient.builder().httpClient(http()).region(Region.of(region)).credentialsProvider(credentials(accessKeyId, secretAccessKey));
        if (endpoint != null) b.endpointOverride(endpoint);
        return b.build();
    }
}
