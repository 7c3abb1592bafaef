package org.dicomrelay.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.dicomrelay.dicom.net.AssociationOptions;
import org.dicomrelay.dicom.net.service.StorageSource;
import org.dicomrelay.dicom.net.service.StoreScu;
import org.dicomrelay.providers.emulators.ElasticMqServer;
import org.dicomrelay.providers.emulators.S3ProxyServer;
import org.dicomrelay.testkit.Samples;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The reference C-STORE (workstation at A → PACS B, DCMTK storescp +B) with both routers on Cloud
 * IO "s3": blobs in a bucket of S3Proxy, notifications in ElasticMQ's queues (SQS), both on
 * 127.0.0.1. The object arrives byte-identical, and afterwards the bucket (including unfinished
 * multipart uploads and S3Proxy's own files) and both routers' queues are empty; the secret key
 * from the routers' configuration appears in no log line.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(180)
class StoreThroughS3AndSqsTest {
    private static final String BUCKET = "relay";

    private Path s3root;
    private S3ProxyServer s3proxy;
    private ElasticMqServer elasticmq;
    private S3Client s3;
    private SqsClient sqs;
    private RelayNetwork net;

    @BeforeAll void start() throws Exception {
        s3root = Files.createTempDirectory("relay-s3proxy");
        s3proxy = new S3ProxyServer(s3root, null);
        elasticmq = new ElasticMqServer();
        var creds = StaticCredentialsProvider.create(AwsBasicCredentials.create(S3ProxyServer.ACCESS_KEY, S3ProxyServer.SECRET_KEY));
        s3 = S3Client.builder().httpClient(UrlConnectionHttpClient.create()).region(Region.US_EAST_1).credentialsProvider(creds)
                .endpointOverride(s3proxy.endpoint()).forcePathStyle(true).build();
        sqs = SqsClient.builder().httpClient(UrlConnectionHttpClient.create()).region(Region.US_EAST_1).credentialsProvider(creds)
                .endpointOverride(elasticmq.endpoint()).build();
        s3.createBucket(b -> b.bucket(BUCKET));
        Map<String, String> settings = new HashMap<>(s3proxy.settings(BUCKET));
        settings.put("sqs.endpoint", elasticmq.endpoint().toString());
        settings.put("sqs.visibilitySeconds", "30");
        net = RelayNetwork.with(RelayNetwork.Pacs.STORESCP).cloud("s3", settings).start();
    }

    @AfterAll void stop() throws Exception {
        if (net != null) net.close();
        if (sqs != null) {
            for (String q : sqs.listQueues().queueUrls()) sqs.deleteQueue(b -> b.queueUrl(q));
            sqs.close();
        }
        if (s3 != null) {
            s3.deleteBucket(b -> b.bucket(BUCKET)); // refused unless empty
            s3.close();
        }
        if (elasticmq != null) elasticmq.close();
        if (s3proxy != null) s3proxy.close();
    }

    private long queued(String routerId) {
        String url = sqs.getQueueUrl(b -> b.queueName("dicom-relay-" + routerId)).queueUrl();
        Map<QueueAttributeName, String> a = sqs.getQueueAttributes(b -> b.queueUrl(url).attributeNames(
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES, QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE)).attributes();
        return Long.parseLong(a.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES))
                + Long.parseLong(a.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE));
    }

    private long filesUnderBucket() throws Exception {
        try (Stream<Path> files = Files.walk(s3root.resolve(BUCKET))) {
            return files.filter(Files::isRegularFile).count();
        }
    }

    @Test void aStoreThroughBothRoutersOnS3AndSqsArrivesByteIdenticalAndLeavesNothingInTheCloud() throws Exception {
        List<Path> files = List.of(Samples.file("test_files/CT_small.dcm"), Samples.file("test_files/MR_small.dcm"));
        for (Path f : files) {
            StorageSource src = StorageSource.probe(f);
            try (StoreScu scu = StoreScu.open("127.0.0.1", net.portA(), net.pacsAe, RelayNetwork.WORKSTATION,
                    List.of(new StoreScu.Need(src.sopClassUid(), src.transferSyntax().uid())), AssociationOptions.DEFAULT)) {
                assertThat(scu.store(src).status()).as("C-STORE-RSP from router A for %s", f.getFileName()).isZero();
            }
        }
        for (Path f : files) {
            String uid = DataSets.sopInstanceUid(f);
            net.awaitDelivered(uid);
            Path got = RelayNetwork.storedByStorescp(net.pacsDir, uid).orElseThrow(() -> new AssertionError("storescp holds no file for " + uid));
            assertThat(DataSets.bytes(got)).as("data set at PACS B vs the file sent at A, %s", f.getFileName()).isEqualTo(DataSets.bytes(f));
        }
        await("the cloud emptied: blobs consumed and deleted, notifications acknowledged").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
                    assertThat(s3.listObjectsV2(b -> b.bucket(BUCKET)).contents()).isEmpty();
                    assertThat(s3.listMultipartUploads(b -> b.bucket(BUCKET)).uploads()).isEmpty();
                    assertThat(filesUnderBucket()).isZero();
                    assertThat(queued("hospital-a")).isZero();
                    assertThat(queued("hospital-b")).isZero();
                });
        assertThat(net.logs.lines()).as("the routers' logs").noneMatch(l -> l.contains(S3ProxyServer.SECRET_KEY));
    }
}
