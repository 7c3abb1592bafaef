package org.dicomrelay.it;

import org.dicomrelay.dicom.net.AssociationOptions;
import org.dicomrelay.dicom.net.service.StorageSource;
import org.dicomrelay.dicom.net.service.StoreScu;
import org.dicomrelay.relay.bridge.BridgeClient;
import org.dicomrelay.relay.cloud.fs.FileSystemBlobStore;
import org.dicomrelay.testkit.Peers;
import org.dicomrelay.testkit.Samples;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 9, "replays work", inverted against real routers, a real Bridge and DCMTK's storescp as
 * PACS B: an image is relayed and then deleted at the PACS; its captured STORE_RQ notification
 * and blob, re-posted into router B's inbox through another enrolled router's Bridge account and
 * through router A's own, are refused as replays (logged, naming the sender) and the PACS does
 * not store the deleted instance again. The same without an attacker: router B's acknowledgement
 * fails, the Bridge delivers the STORE_RQ again after its visibility timeout, and it runs once.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(180)
class ReplayThroughRoutersTest {
    private RelayNetwork net;

    @BeforeAll void start() throws Exception {
        net = RelayNetwork.with(RelayNetwork.Pacs.STORESCP).recordCloud().extraRouter("hospital-x")
                .visibilityTimeout(Duration.ofSeconds(2)).start();
    }

    @AfterAll void stop() {
        if (net != null) net.close();
    }

    @Test void aCapturedStoreRequestRepostedThroughAnyRoutersAccountDoesNotBringADeletedInstanceBack() throws Exception {
        RecordingCloudProvider.Recording rec = net.recording;
        int notificationsBefore = rec.notifications.size();
        Set<String> blobsBefore = Set.copyOf(rec.blobs.keySet());
        Path ct = Samples.file("test_files/CT_small.dcm");
        String uid = DataSets.sopInstanceUid(ct);
        StorageSource src = StorageSource.probe(ct);
        try (StoreScu scu = StoreScu.open("127.0.0.1", net.portA(), net.pacsAe, RelayNetwork.WORKSTATION,
                List.of(new StoreScu.Need(src.sopClassUid(), src.transferSyntax().uid())), AssociationOptions.DEFAULT)) {
            assertThat(scu.store(src).status()).isZero();
        }
        net.awaitDelivered(uid);
        Path stored = RelayNetwork.storedByStorescp(net.pacsDir, uid).orElseThrow();
        // What a hostile cloud or Bridge kept: the notifications of the exchange and the blob.
        List<byte[]> notifications = List.copyOf(rec.notifications.subList(notificationsBefore, rec.notifications.size()));
        Map<String, byte[]> blobs = new HashMap<>(rec.blobs);
        blobs.keySet().removeAll(blobsBefore);
        assertThat(blobs).as("the data set's blob").hasSize(1);
        Files.delete(stored); // deleted at the PACS (e.g. on the patient's request)

        BridgeClient viaOther = RelayNetwork.client(net.extraRouters.get("hospital-x").credentials());
        BridgeClient viaSender = RelayNetwork.client(RelayNetwork.credentials(net.configA));
        for (BridgeClient via : List.of(viaOther, viaSender)) {
            try (FileSystemBlobStore cloud = new FileSystemBlobStore(net.cloud)) {
                for (Map.Entry<String, byte[]> blob : blobs.entrySet()) {
                    try (OutputStream out = cloud.create(blob.getKey(), "hospital-b")) {
                        out.write(blob.getValue());
                    }
                }
            }
            for (byte[] n : notifications) via.publish("hospital-b", n);
            // Router B judges its inbox in order: once this later echo is answered, the replays were refused or run.
            Peers.Result echo = RelayNetwork.tool("echoscu", "-aet", RelayNetwork.WORKSTATION, "-aec", net.pacsAe, "127.0.0.1",
                    String.valueOf(net.portA()));
            assertThat(echo.exitCode()).as(echo.output()).isZero();
        }
        // STORE_RQ, or STORE_BUNDLE when router A bundled the object (link.bundleObjectMaxBytes)
        await().atMost(Duration.ofSeconds(30)).until(() -> !net.logs.warnings("org.dicomrelay.router.link.CloudCourier",
                "refused STORE_", "from router hospital-a", "a replay").isEmpty());
        assertThat(RelayNetwork.storedByStorescp(net.pacsDir, uid)).as("the deleted instance at PACS B").isEmpty();
    }

    @Test void aFailedAcknowledgementStoresOnceAtThePacs() throws Exception {
        RecordingCloudProvider.Recording rec = net.recording;
        Path mr = Samples.file("test_files/MR_small.dcm");
        String uid = DataSets.sopInstanceUid(mr);
        rec.failAcksOf.add("hospital-b");
        try {
            StorageSource src = StorageSource.probe(mr);
            try (StoreScu scu = StoreScu.open("127.0.0.1", net.portA(), net.pacsAe, RelayNetwork.WORKSTATION,
                    List.of(new StoreScu.Need(src.sopClassUid(), src.transferSyntax().uid())), AssociationOptions.DEFAULT)) {
                assertThat(scu.store(src).status()).isZero();
            }
            net.awaitDelivered(uid);
            Files.delete(RelayNetwork.storedByStorescp(net.pacsDir, uid).orElseThrow());
            // Delivered again after the 2 s visibility timeout, judged, and its acknowledgement lost once more.
            await().atMost(Duration.ofSeconds(30)).until(() -> rec.failedAcks.values().stream().anyMatch(n -> n >= 2));
        } finally {
            rec.failAcksOf.remove("hospital-b");
        }
        Peers.Result echo = RelayNetwork.tool("echoscu", "-aet", RelayNetwork.WORKSTATION, "-aec", net.pacsAe, "127.0.0.1",
                String.valueOf(net.portA()));
        assertThat(echo.exitCode()).as(echo.output()).isZero();
        assertThat(RelayNetwork.storedByStorescp(net.pacsDir, uid)).as("a second C-STORE at PACS B").isEmpty();
    }
}
