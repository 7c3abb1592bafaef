package org.dicomrelay.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.dicomrelay.dicom.data.Attributes;
import org.dicomrelay.dicom.data.TransferSyntax;
import org.dicomrelay.dicom.data.VR;
import org.dicomrelay.dicom.io.DicomFile;
import org.dicomrelay.dicom.io.FileMetaInformation;
import org.dicomrelay.testkit.Peers;
import org.junit.jupiter.api.Test;

/**
 * Issue 10, item 2 (parts): router A's upload of a large object to the Bridge's store has the
 * connection of its second part cut mid-body, after the frame was already sent (the blob is
 * readable while written, so router B is reading it). The part is sent again, and the object
 * reaches the PACS exactly once (PS3.4 B.2.2: a C-STORE of the same SOP Instance is not repeated).
 */
class BlobPartCutTest {
    private static final String PACS_AE = "CUT_PACS";

    private static long spoolRecords(Path spool) throws java.io.IOException {
        if (!Files.isDirectory(spool)) return 0;
        try (var s = Files.list(spool)) {
            return s.filter(f -> f.getFileName().toString().endsWith(".json")).count();
        }
    }

    @Test
    void aPartCutMidUploadIsSentAgainAndTheObjectIsStoredExactlyOnce() throws Exception {
        relayWithCuts(1, 1);
    }

    /**
     * The second part cut on every attempt: router A's upload fails after the frame went, and is
     * aborted; router B's read of it fails (no C-STORE at the PACS) and it answers a failure; A's
     * spool sends the object again, and the PACS has it once. Nothing is left at the Bridge.
     */
    @Test
    void anUploadFailingAfterItsFrameWentIsRetriedFromTheSpoolAndStoredExactlyOnce() throws Exception {
        relayWithCuts(3, 1);
    }

    /** Relays one object of two parts while the proxy cuts the second part {@code cuts} times; {@code uploads}: completed at the Bridge. */
    private void relayWithCuts(int cuts, int uploads) throws Exception {
        Path dir = Files.createTempDirectory("blob-cut");
        String uid = "1.2.826.0.1.3680043.10.543." + System.nanoTime();
        Path big = dir.resolve("big.dcm");
        Attributes ds = new Attributes();
        ds.setString(0x00080016, VR.UI, HoldingScp.SECONDARY_CAPTURE);
        ds.setString(0x00080018, VR.UI, uid);
        ds.setString(0x0020000D, VR.UI, uid + ".1");
        ds.setString(0x00100020, VR.LO, "CUT");
        byte[] pixels = new byte[12 * 1024 * 1024]; // two parts of 8 MiB
        new Random(7).nextBytes(pixels);
        ds.setBytes(0x7FE00010, VR.OW, pixels);
        DicomFile.write(big, FileMetaInformation.of(ds, TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN.uid()), ds, TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN);

        CuttingProxy[] proxy = new CuttingProxy[1];
        try (HoldingScp pacs = new HoldingScp("NOBODY_HELD", () -> {});
             RelayNetwork net = RelayNetwork.with(RelayNetwork.Pacs.STORESCP).bridgeStore()
                     .deviceBAt(PACS_AE, pacs.port(), List.of("store"))
                     .bridgeUrlOfA(u -> {
                         try {
                             proxy[0] = new CuttingProxy(u, "/parts/1?", 1024 * 1024, cuts);
                         } catch (java.io.IOException e) {
                             throw new java.io.UncheckedIOException(e);
                         }
                         return proxy[0].url();
                     })
                     .start()) {
            try (CuttingProxy p = proxy[0]) {
                Peers.Result store = RelayNetwork.tool("storescu", "-aet", RelayNetwork.WORKSTATION, "-aec", PACS_AE, "127.0.0.1",
                        String.valueOf(net.portA()), big.toString());
                assertThat(store.exitCode()).as(store.output()).isZero();
                await().atMost(Duration.ofSeconds(180)).until(() -> pacs.requestsByKey().getOrDefault(uid, 0) >= 1);
                await().atMost(Duration.ofSeconds(30)).until(() -> p.cuts() == cuts);
                // Nothing left to send or to read: router A's spool is empty and the Bridge holds no blob.
                Path spool = Path.of(net.configA.stateDir()).resolve("spool");
                await().atMost(Duration.ofSeconds(120)).until(() -> net.admin("GET", "/api/admin/blobs", null).body().contains("\"blobs\":0")
                        && spoolRecords(spool) == 0);
                assertThat(pacs.requestsByKey().get(uid)).as("stored exactly once").isEqualTo(1);
                assertThat(net.admin("GET", "/api/admin/blobs", null).body()).as("uploads completed at the Bridge")
                        .contains("\"receivedSinceStart\":" + uploads);
            }
        }
    }
}
