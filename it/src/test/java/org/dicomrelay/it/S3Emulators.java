package org.dicomrelay.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.dicomrelay.providers.emulators.ElasticMqServer;
import org.dicomrelay.providers.emulators.S3ProxyServer;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * S3Proxy (blobs, a bucket in a temporary folder) and ElasticMQ (SQS queues) on 127.0.0.1, with
 * the routers' {@code cloud} settings for Cloud IO "s3" and checks that the relay left nothing.
 */
final class S3Emulators implements AutoCloseable {
    static final String BUCKET = "relay";

    private final Path root;
    private final S3ProxyServer s3proxy;
    private final ElasticMqServer elasticmq;
    final S3Client s3;
    final SqsClient sqs;

    S3Emulators() throws Exception {
        root = Files.createTempDirectory("relay-s3proxy");
        s3proxy = new S3ProxyServer(root, null);
        elasticmq = new ElasticMqServer();
        var creds = StaticCredentialsProvider.create(AwsBasicCredentials.create(S3ProxyServer.ACCESS_KEY, S3ProxyServer.SECRET_KEY));
        s3 = S3Client.builder().httpClient(UrlConnectionHttpClient.create()).region(Region.US_EAST_1).credentialsProvider(creds)
                .endpointOverride(s3proxy.endpoint()).forcePathStyle(true).build();
        sqs = SqsClient.builder().httpClient(UrlConnectionHttpClient.create()).region(Region.US_EAST_1).credentialsProvider(creds)
                .endpointOverride(elasticmq.endpoint()).build();
        s3.createBucket(b -> b.bucket(BUCKET));
    }

    /** The routers' settings: blobs in the bucket, notifications in SQS queues. */
    Map<String, String> routerSettings() {
        Map<String, String> settings = new HashMap<>(s3proxy.settings(BUCKET));
        settings.put("sqs.endpoint", elasticmq.endpoint().toString());
        settings.put("sqs.visibilitySeconds", "30");
        return settings;
    }

    /** Nothing of the relay left: no object, no unfinished multipart upload, no file of S3Proxy's, no message in these routers' queues. */
    void assertEmpty(String... routerIds) throws IOException {
        assertThat(s3.listObjectsV2(b -> b.bucket(BUCKET)).contents()).as("objects in the bucket").isEmpty();
        assertThat(s3.listMultipartUploads(b -> b.bucket(BUCKET)).uploads()).as("unfinished multipart uploads").isEmpty();
        try (Stream<Path> files = Files.walk(root.resolve(BUCKET))) {
            assertThat(files.filter(Files::isRegularFile).count()).as("files under S3Proxy's bucket folder").isZero();
        }
        for (String id : routerIds) assertThat(queued(id)).as("messages in the queue of " + id).isZero();
    }

    private long queued(String routerId) {
        String url = sqs.getQueueUrl(b -> b.queueName("dicom-relay-" + routerId)).queueUrl();
        Map<QueueAttributeName, String> a = sqs.getQueueAttributes(b -> b.queueUrl(url).attributeNames(
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES, QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE)).attributes();
        return Long.parseLong(a.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES))
                + Long.parseLong(a.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE));
    }

    /** Deletes the queues and the bucket (refused unless empty), then stops both emulators. */
    @Override public void close() throws Exception {
        try {
            for (String q : sqs.listQueues().queueUrls()) sqs.deleteQueue(b -> b.queueUrl(q));
            s3.deleteBucket(b -> b.bucket(BUCKET));
        } finally {
            sqs.close();
            s3.close();
            elasticmq.close();
            s3proxy.close();
            RelayNetwork.deleteTree(root);
        }
    }
}
