package org.dicomrelay.it;

import org.dicomrelay.dicom.data.Attributes;
import org.dicomrelay.dicom.data.TransferSyntax;
import org.dicomrelay.dicom.data.VR;
import org.dicomrelay.dicom.io.DicomFile;
import org.dicomrelay.dicom.io.FileMetaInformation;
import org.dicomrelay.dicom.net.AssociationOptions;
import org.dicomrelay.dicom.net.service.StorageSource;
import org.dicomrelay.dicom.net.service.StoreScu;
import org.dicomrelay.testkit.StoredFiles;
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
 * Issue 10, bundles through real routers with their default settings (router.yaml {@code link}: objects up to
 * 1 MiB bundled, 4 MiB a bundle): objects of mixed sizes on one association, among them one of exactly 1 MiB
 * (bundled), one a byte pair above (alone) and a 2 MiB one between small ones, arrive at DCMTK storescp
 * byte-identical, with fewer notifications at router B than objects; and while router A's upload of a bundle
 * is held mid-way (a slow link), a C-FIND through the relay is answered (PS3.4 C.4.1: interactive first).
 */
@Timeout(240)
class BundlesThroughTheRelayTest {
    private static final String QUERY_AE = "QUERY_B";
    private static final TransferSyntax TS = TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN;
    private static final int PIXEL_DATA = 0x7FE00010;
    private static final int MIB = 1 << 20;

    private RelayNetwork net;
    private HoldingScp queries;

    @AfterEach void stop() {
        if (net != null) {
            if (net.recording != null) net.recording.releaseUploads();
            net.close();
        }
        if (queries != null) queries.close();
    }

    @Test void mixedSizesArriveByteIdenticalWithFewerNotificationsAndAC_FIND_IsAnsweredWhileABundleUploads() throws Exception {
        queries = new HoldingScp("NOTHING_HELD", () -> {});
        net = RelayNetwork.with(RelayNetwork.Pacs.STORESCP).deviceBAt(QUERY_AE, queries.port(), List.of("find")).recordCloud().start();
        net.recording.holdUploadsAt = MIB; // every upload that gets that far waits until released: a slow link
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            files.add(object("SMALL-" + i, 20_000 + i * 2));
            if (i == 3) files.add(object("LARGE", 2 * MIB)); // alone, between small ones
            if (i == 5) files.add(objectOfDataSetSize("AT-LIMIT", MIB)); // exactly at the object limit: bundled
            if (i == 7) files.add(objectOfDataSetSize("ABOVE-LIMIT", MIB + 2)); // above it: alone
            if (i == 9) files.add(object("MEDIUM", 400_000));
        }
        storeOnOneAssociation(files);
        await("router A's upload held mid-way").atMost(Duration.ofSeconds(60)).until(() -> net.recording.uploadsHeld.get() >= 1);

        Attributes keys = new Attributes();
        keys.setString(0x00080052, VR.CS, "STUDY");
        keys.setString(0x00100020, VR.LO, "FIND-WHILE-BUNDLING");
        assertThat(net.findThroughA(QUERY_AE, keys)).as("C-FIND through the relay while a bundle uploads")
                .isEqualTo(new RelayNetwork.FindResult(0x0000, 1));
        assertThat(net.recording.uploadsHeld.get()).as("the upload is still held").isGreaterThanOrEqualTo(1);
        int acksBefore = acksAtB();

        net.recording.releaseUploads();
        for (Path f : files) {
            String uid = StorageSource.probe(f).sopInstanceUid();
            net.awaitDelivered(uid);
            Path got = RelayNetwork.storedByStorescp(net.pacsDir, uid).orElseThrow(() -> new AssertionError("no file for " + uid));
            assertThat(StoredFiles.dataSet(got)).as("data set at storescp vs sent, %s", f.getFileName()).isEqualTo(StoredFiles.dataSet(f));
        }
        int frames = acksAtB() - acksBefore;
        assertThat(frames).as("notifications router B took for %d objects", files.size()).isLessThan(files.size() / 2);
    }

    private int acksAtB() {
        var n = net.recording.acks.get("hospital-b");
        return n == null ? 0 : n.get();
    }

    private void storeOnOneAssociation(List<Path> files) throws IOException {
        StorageSource first = StorageSource.probe(files.get(0));
        try (StoreScu scu = StoreScu.open("127.0.0.1", net.portA(), net.pacsAe, RelayNetwork.WORKSTATION,
                List.of(new StoreScu.Need(first.sopClassUid(), first.transferSyntax().uid())), AssociationOptions.DEFAULT)) {
            for (Path f : files) assertThat(scu.store(StorageSource.probe(f)).status()).as("router A spools %s", f.getFileName()).isZero();
        }
    }

    /** An object whose data set (what router A spools and bundles) is exactly {@code size} bytes. */
    private Path objectOfDataSetSize(String patientId, int size) throws IOException {
        // One UID for both: a random UID's length varies, and with it the data set's.
        String uid = "2.25." + new java.math.BigInteger(UUID.randomUUID().toString().replace("-", ""), 16);
        Path probe = object(patientId, size - 1024, uid);
        int overhead = StoredFiles.dataSet(probe).length - (size - 1024);
        Files.delete(probe);
        Path f = object(patientId, size - overhead, uid);
        assertThat(StoredFiles.dataSet(f)).hasSize(size);
        return f;
    }

    private Path object(String patientId, int pixelBytes) throws IOException {
        return object(patientId, pixelBytes, "2.25." + new java.math.BigInteger(UUID.randomUUID().toString().replace("-", ""), 16));
    }

    private Path object(String patientId, int pixelBytes, String uid) throws IOException {
        byte[] pixels = new byte[pixelBytes];
        new java.util.Random(pixelBytes).nextBytes(pixels);
        Attributes ds = new Attributes();
        ds.setString(0x00080016, VR.UI, HoldingScp.SECONDARY_CAPTURE);
        ds.setString(0x00080018, VR.UI, uid);
        ds.setString(0x00100020, VR.LO, patientId);
        ds.setBytes(PIXEL_DATA, VR.OB, pixels);
        Path file = Files.createDirectories(net.work.resolve("objects")).resolve(patientId + "-" + uid + ".dcm");
        DicomFile.write(file, FileMetaInformation.create(HoldingScp.SECONDARY_CAPTURE, uid, TS.uid()), ds, TS);
        return file;
    }
}
