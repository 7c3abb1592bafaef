package org.dicomrelay.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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

/**
 * Cloud IO "s3" assigned by the Bridge (no cloud section in router.yaml): the routers take the
 * assignment's endpoint and bucket, but their credentials only from the SDK's default chain (here
 * its system properties), never from the Bridge: the access key ID the assignment carries is
 * ignored, or S3Proxy would refuse every request signed with it. A C-STORE A → B arrives.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(180)
class S3AssignedByTheBridgeTest {
    private static final String BUCKET = "relay-assigned";

    private Path s3root;
    private S3ProxyServer s3proxy;
    private ElasticMqServer elasticmq;
    private S3Client s3;
    private RelayNetwork net;

    @BeforeAll void start() throws Exception {
        s3root = Files.createTempDirectory("relay-s3proxy");
        s3proxy = new S3ProxyServer(s3root, null);
        elasticmq = new ElasticMqServer();
        s3 = S3Client.builder().httpClient(UrlConnectionHttpClient.create()).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(S3ProxyServer.ACCESS_KEY, S3ProxyServer.SECRET_KEY)))
                .endpointOverride(s3proxy.endpoint()).forcePathStyle(true).build();
        s3.createBucket(b -> b.bucket(BUCKET));
        // The SDK's default chain: system properties first.
        System.setProperty("aws.accessKeyId", S3ProxyServer.ACCESS_KEY);
        System.setProperty("aws.secretAccessKey", S3ProxyServer.SECRET_KEY);
        Map<String, String> assigned = new HashMap<>();
        assigned.put("endpoint", s3proxy.endpoint().toString());
        assigned.put("bucket", BUCKET);
        assigned.put("pathStyle", "true");
        assigned.put("accessKeyId", "PUSHED-BY-THE-BRIDGE"); // must be ignored
        assigned.put("sqs.endpoint", elasticmq.endpoint().toString());
        net = RelayNetwork.with(RelayNetwork.Pacs.STORESCP).assignedCloud("s3", assigned).start();
    }

    @AfterAll void stop() throws Exception {
        if (net != null) net.close();
        System.clearProperty("aws.accessKeyId");
        System.clearProperty("aws.secretAccessKey");
        if (s3 != null) {
            s3.deleteBucket(b -> b.bucket(BUCKET)); // refused unless empty
            s3.close();
        }
        if (elasticmq != null) elasticmq.close();
        if (s3proxy != null) s3proxy.close();
    }

    @Test void credentialsComeFromTheRouterNotFromTheBridge() throws Exception {
        Path f = Samples.file("test_files/CT_small.dcm");
        StorageSource src = StorageSource.probe(f);
        try (StoreScu scu = StoreScu.open("127.0.0.1", net.portA(), net.pacsAe, RelayNetwork.WORKSTATION,
                List.of(new StoreScu.Need(src.sopClassUid(), src.transferSyntax().uid())), AssociationOptions.DEFAULT)) {
            assertThat(scu.store(src).status()).as("C-STORE-RSP from router A").isZero();
        }
        String uid = DataSets.sopInstanceUid(f);
        net.awaitDelivered(uid);
        assertThat(net.logs.lines()).anyMatch(l -> l.contains("secret setting 'accessKeyId'") && l.contains("ignored"));
        await("blobs consumed and deleted").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> assertThat(s3.listObjectsV2(b -> b.bucket(BUCKET)).contents()).isEmpty());
    }
}
