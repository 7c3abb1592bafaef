package org.dicomrelay.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.dicomrelay.providers.emulators.AzuriteServer;
import org.dicomrelay.testkit.Samples;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The reference C-STORE (workstation at A → PACS B, DCMTK storescp) with both routers on Cloud IO
 * "azure": block blobs in a container of Azurite, notifications in its queues, on 127.0.0.1.
 * Objects within one block and one of several (64 KiB blocks; the ECG waveform is 291 KB) arrive
 * byte-identical; afterwards the container holds no blob and no uncommitted block, both inbox
 * queues are empty, and the account key from the routers' configuration appears in no log line.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(180)
class StoreThroughAzureTest {
    private AzureEmulator cloud;
    private RelayNetwork net;

    @BeforeAll void start() throws Exception {
        assumeTrue(AzuriteServer.unavailable().isEmpty(), () -> AzuriteServer.unavailable().orElse(""));
        cloud = new AzureEmulator();
        net = RelayNetwork.with(RelayNetwork.Pacs.STORESCP).cloud("azure", cloud.routerSettings()).start();
    }

    @AfterAll void stop() throws Exception {
        try {
            if (net != null) net.close();
        } finally {
            if (cloud != null) cloud.close();
        }
    }

    @Test void aStoreThroughBothRoutersOnAzureArrivesByteIdenticalAndLeavesNothingInTheCloud() throws Exception {
        List<Path> files = List.of(Samples.file("test_files/CT_small.dcm"), Samples.file("test_files/MR_small.dcm"),
                Samples.file("test_files/waveform_ecg.dcm"));
        net.storeEachAndAssertByteIdenticalAtPacs(files);
        await("the cloud emptied: blobs consumed and deleted, notifications acknowledged").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200)).untilAsserted(() -> cloud.assertEmpty("hospital-a", "hospital-b"));
        assertThat(net.logs.lines()).as("the routers' logs").noneMatch(l -> l.contains(AzuriteServer.ACCOUNT_KEY));
    }
}
