package org.dicomrelay.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.dicomrelay.providers.emulators.S3ProxyServer;
import org.dicomrelay.testkit.Samples;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

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
    private S3Emulators cloud;
    private RelayNetwork net;

    @BeforeAll void start() throws Exception {
        cloud = new S3Emulators();
        net = RelayNetwork.with(RelayNetwork.Pacs.STORESCP).cloud("s3", cloud.routerSettings()).start();
    }

    @AfterAll void stop() throws Exception {
        try {
            if (net != null) net.close();
        } finally {
            if (cloud != null) cloud.close();
        }
    }

    @Test void aStoreThroughBothRoutersOnS3AndSqsArrivesByteIdenticalAndLeavesNothingInTheCloud() throws Exception {
        List<Path> files = List.of(Samples.file("test_files/CT_small.dcm"), Samples.file("test_files/MR_small.dcm"));
        net.storeEachAndAssertByteIdenticalAtPacs(files);
        await("the cloud emptied: blobs consumed and deleted, notifications acknowledged").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200)).untilAsserted(() -> cloud.assertEmpty("hospital-a", "hospital-b"));
        assertThat(net.logs.lines()).as("the routers' logs").noneMatch(l -> l.contains(S3ProxyServer.SECRET_KEY));
    }
}
