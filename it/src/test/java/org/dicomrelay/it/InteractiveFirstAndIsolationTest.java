package org.dicomrelay.it;

import org.dicomrelay.dicom.data.Attributes;
import org.dicomrelay.dicom.data.TransferSyntax;
import org.dicomrelay.dicom.data.VR;
import org.dicomrelay.dicom.io.DicomFile;
import org.dicomrelay.dicom.io.FileMetaInformation;
import org.dicomrelay.dicom.net.AssociationOptions;
import org.dicomrelay.dicom.net.service.StorageSource;
import org.dicomrelay.dicom.net.service.StoreScu;
import org.dicomrelay.router.config.Limits;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 10 items 4 and 5 through real routers: router B with {@code limits.operationsPerPeer: 1}
 * (one operation per lane at once: before the lanes of issue 10, one held C-STORE from router A
 * held every other request of router A), a {@link HoldingScp} behind router B that holds the
 * C-STOREs to {@value #HELD_AE} before answering them (a PACS that accepts and never answers,
 * until the test releases it) and answers C-FINDs to {@value #QUERY_AE}, and DCMTK storescp as
 * the healthy PACS_B.
 */
@Timeout(240)
class InteractiveFirstAndIsolationTest {
    private static final String HELD_AE = "HELD_B";
    private static final String QUERY_AE = "QUERY_B";
    private static final TransferSyntax TS = TransferSyntax.IMPLICIT_VR_LITTLE_ENDIAN;
    private static final int PIXEL_DATA = 0x7FE00010;

    private RelayNetwork net;
    private HoldingScp pacs;

    @AfterEach void stop() {
        if (pacs != null) pacs.release();
        if (net != null) net.close();
        if (pacs != null) pacs.close();
    }

    private void start() throws Exception {
        pacs = new HoldingScp(HELD_AE, () -> {});
        net = RelayNetwork.with(RelayNetwork.Pacs.STORESCP)
                .deviceBAt(HELD_AE, pacs.port(), List.of("find", "store"))
                .deviceBAt(QUERY_AE, pacs.port(), List.of("find"))
                .limitsB(new Limits(1, null))
                .recordCloud()
                .start();
    }

    /**
     * Interactive first (PS3.4 C.4.1 C-FIND answered while bulk data is in flight): a large object
     * is in flight through the relay (router B is storing it; the PACS holds it before its
     * C-STORE-RSP), and a C-FIND from the same router A through the relay is answered meanwhile,
     * its match and final Success, while the object is still held.
     */
    @Test void aFindThroughTheRelayIsAnsweredWhileALargeObjectIsInFlight() throws Exception {
        start();
        String uid = newUid();
        Path big = secondaryCapture(uid, "LARGE", 8 << 20);
        assertThat(storeThroughA(HELD_AE, big)).as("router A spools the object (Success)").isZero();
        await("the large object held at the PACS behind router B").atMost(Duration.ofSeconds(60)).until(() -> pacs.held() == 1);

        Attributes keys = new Attributes();
        keys.setString(0x00080052, VR.CS, "STUDY");
        keys.setString(0x00100020, VR.LO, "FIND-WHILE-HELD");
        RelayNetwork.FindResult found = net.findThroughA(QUERY_AE, keys);
        assertThat(found).as("C-FIND through the relay while the object is in flight").isEqualTo(new RelayNetwork.FindResult(0x0000, 1));
        assertThat(pacs.held()).as("the large object is still in flight").isEqualTo(1);
        assertThat(pacs.requestsByKey()).containsEntry("FIND-WHILE-HELD", 1);

        pacs.release();
        net.awaitDeliveredWithin(uid, Duration.ofSeconds(120));
        assertThat(pacs.requestsByKey()).containsKey(uid);
    }

    /**
     * At router A: its upload of a large object, held mid-way (a slow link to the cloud), holds
     * nothing a C-FIND needs (no shared lock, connection or thread): the C-FIND through the relay
     * is answered while the upload is still held, and the object is delivered once it goes on.
     */
    @Test void aFindThroughTheRelayIsAnsweredWhileRouterAIsUploadingALargeObject() throws Exception {
        start();
        net.recording.holdUploadsAt = 1 << 20;
        String uid = newUid();
        assertThat(storeThroughA(net.pacsAe, secondaryCapture(uid, "UPLOADING", 8 << 20))).isZero();
        await("router A's upload held mid-way").atMost(Duration.ofSeconds(60)).until(() -> net.recording.uploadsHeld.get() == 1);

        Attributes keys = new Attributes();
        keys.setString(0x00080052, VR.CS, "STUDY");
        keys.setString(0x00100020, VR.LO, "FIND-WHILE-UPLOADING");
        assertThat(net.findThroughA(QUERY_AE, keys)).as("C-FIND through the relay while router A uploads")
                .isEqualTo(new RelayNetwork.FindResult(0x0000, 1));
        assertThat(net.recording.uploadsHeld.get()).as("the upload is still held").isEqualTo(1);

        net.recording.releaseUploads();
        await("object " + uid + " stored by " + net.pacsAe).atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(50))
                .until(() -> RelayNetwork.storedByStorescp(net.pacsDir, uid).isPresent());
    }

    /**
     * Per-destination isolation: two devices behind router B, one dead (it accepts the C-STOREs and
     * never answers): all the objects for the healthy one are stored while the dead one's are held;
     * none of the dead one's is lost: each is delivered once it comes back (router A's spool retries
     * any that failed meanwhile).
     */
    @Test void aDeadPacsBehindOneRouteDoesNotBlockAnotherRoutesDeliveries() throws Exception {
        start();
        List<String> held = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String uid = newUid();
            held.add(uid);
            assertThat(storeThroughA(HELD_AE, secondaryCapture(uid, "HELD-" + i, 64 << 10))).isZero();
        }
        await("the dead device's first object held").atMost(Duration.ofSeconds(60)).until(() -> pacs.held() == 1);

        List<String> healthy = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            String uid = newUid();
            healthy.add(uid);
            assertThat(storeThroughA(net.pacsAe, secondaryCapture(uid, "LIVE-" + i, 64 << 10))).isZero();
        }
        for (String uid : healthy) {
            await("object " + uid + " stored by " + net.pacsAe).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
                    .until(() -> RelayNetwork.storedByStorescp(net.pacsDir, uid).isPresent());
        }
        assertThat(pacs.held()).as("the dead device still holds an object").isEqualTo(1);
        assertThat(held).as("objects for the dead device delivered while it was down")
                .noneMatch(uid -> net.logs.lines().stream().anyMatch(l -> l.contains("delivered " + uid + " to ")));

        pacs.release();
        for (String uid : held) net.awaitDeliveredWithin(uid, Duration.ofSeconds(150));
        assertThat(pacs.requestsByKey()).as("the dead device's objects, stored once it came back").containsKeys(held.toArray(String[]::new));
    }

    /** C-STORE from the workstation to router A, which answers once the object is spooled; its status. */
    private int storeThroughA(String calledAe, Path file) throws IOException {
        StorageSource src = StorageSource.probe(file);
        try (StoreScu scu = StoreScu.open("127.0.0.1", net.portA(), calledAe, RelayNetwork.WORKSTATION,
                List.of(new StoreScu.Need(src.sopClassUid(), src.transferSyntax().uid())), AssociationOptions.DEFAULT)) {
            return scu.store(src).status();
        }
    }

    private Path secondaryCapture(String uid, String patientId, int pixelBytes) throws IOException {
        Attributes ds = new Attributes();
        ds.setString(0x00080016, VR.UI, HoldingScp.SECONDARY_CAPTURE);
        ds.setString(0x00080018, VR.UI, uid);
        ds.setString(0x00100020, VR.LO, patientId);
        ds.setBytes(PIXEL_DATA, VR.OB, new byte[pixelBytes]);
        Path file = Files.createDirectories(net.work.resolve("objects")).resolve(uid + ".dcm");
        DicomFile.write(file, FileMetaInformation.create(HoldingScp.SECONDARY_CAPTURE, uid, TS.uid()), ds, TS);
        return file;
    }

    private static String newUid() {
        return "2.25." + new java.math.BigInteger(UUID.randomUUID().toString().replace("-", ""), 16);
    }
}
