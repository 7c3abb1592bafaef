package org.dicomrelay.it;

import org.dicomrelay.dicom.net.AssociationOptions;
import org.dicomrelay.dicom.net.service.StorageSource;
import org.dicomrelay.dicom.net.service.StoreScu;
import org.dicomrelay.testkit.Peers;
import org.dicomrelay.testkit.Samples;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The reference scenario with DCMTK storescp +B (bit preserving) as PACS B: a workstation at A
 * stores to PACS_B through router A, the cloud and router B. Our SCUs send each file's data set as
 * it is, so PACS B must hold exactly those bytes, in the same transfer syntax; DCMTK's storescu
 * re-encodes some files itself (implicit VR to explicit, its own deflate), so what it sends must
 * arrive as the same attributes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class StoreToStorescpTest {
    /** storescu's option proposing a file's own transfer syntax (with -R, only what the files need). */
    private static final Map<String, String> STORESCU_OPTION = Map.of(
            "1.2.840.10008.1.2", "-xi", "1.2.840.10008.1.2.1", "-xe", "1.2.840.10008.1.2.2", "-xb",
            "1.2.840.10008.1.2.1.99", "-xd", "1.2.840.10008.1.2.4.51", "-xx");

    private RelayNetwork net;

    @BeforeAll void start() throws Exception {
        net = RelayNetwork.with(RelayNetwork.Pacs.STORESCP).start();
    }

    @AfterAll void stop() {
        if (net != null) net.close();
    }

    private Path awaitAtPacs(String sopInstanceUid) throws Exception {
        net.awaitDelivered(sopInstanceUid);
        return RelayNetwork.storedByStorescp(net.pacsDir, sopInstanceUid)
                .orElseThrow(() -> new AssertionError("storescp acknowledged " + sopInstanceUid + " but holds no file for it"));
    }

    private void assertByteIdentical(Path sent) throws Exception {
        Path got = awaitAtPacs(DataSets.sopInstanceUid(sent));
        assertThat(DataSets.transferSyntax(got)).as("transfer syntax at PACS B, %s", sent.getFileName()).isEqualTo(DataSets.transferSyntax(sent));
        assertThat(DataSets.bytes(got)).as("data set at PACS B vs the file sent at A, %s", sent.getFileName()).isEqualTo(DataSets.bytes(sent));
    }

    @Test void ourStoreScuThroughBothRoutersArrivesByteIdenticalInEveryTransferSyntax() throws Exception {
        // explicit little endian, explicit big endian (retired), deflated, JPEG baseline
        List<Path> files = List.of(Samples.file("test_files/CT_small.dcm"), Samples.file("test_files/MR_small_bigendian.dcm"),
                Samples.file("test_files/image_dfl.dcm"), Samples.file("test_files/SC_rgb_jpeg_dcmtk.dcm"));
        for (Path f : files) {
            StorageSource src = StorageSource.probe(f);
            try (StoreScu scu = StoreScu.open("127.0.0.1", net.portA(), net.pacsAe, RelayNetwork.WORKSTATION,
                    List.of(new StoreScu.Need(src.sopClassUid(), src.transferSyntax().uid())), AssociationOptions.DEFAULT)) {
                assertThat(scu.store(src).status()).as("C-STORE-RSP from router A for %s", f.getFileName()).isZero();
            }
        }
        for (Path f : files) assertByteIdentical(f);
    }

    @Test void dicomRelayStoreCommandThroughBothRoutersArrivesByteIdentical() throws Exception {
        // JPEG 2000, implicit little endian, explicit big endian, RLE
        List<Path> files = List.of(Samples.file("test_files/JPEG2000.dcm"), Samples.file("test_files/rtplan.dcm"),
                Samples.file("test_files/ExplVR_BigEnd.dcm"), Samples.file("test_files/SC_rgb_rle.dcm"));
        List<String> args = new ArrayList<>(List.of("store", "-c", net.atA(net.pacsAe), "-b", RelayNetwork.WORKSTATION));
        files.forEach(f -> args.add(f.toString()));
        RelayNetwork.CliResult r = RelayNetwork.cli(args.toArray(String[]::new));
        assertThat(r.exitCode()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("stored 4 of 4 objects");
        for (Path f : files) assertByteIdentical(f);
    }

    @Test void dcmtkStorescuThroughBothRoutersArrivesAttributeIdentical() throws Exception {
        // implicit VR (storescu sends it as proposed), a segmentation, a structured report, JPEG extended
        List<Path> files = List.of(Samples.file("test_files/rtdose.dcm"), Samples.file("test_files/liver_1frame.dcm"),
                Samples.file("test_files/test-SR.dcm"), Samples.file("test_files/JPGExtended.dcm"));
        for (Path f : files) {
            String option = STORESCU_OPTION.get(DataSets.transferSyntax(f));
            Peers.Result r = RelayNetwork.tool("storescu", "-R", option, "-aet", RelayNetwork.WORKSTATION, "-aec", net.pacsAe,
                    "127.0.0.1", String.valueOf(net.portA()), f.toString());
            assertThat(r.exitCode()).as("storescu %s:\n%s", f.getFileName(), r.output()).isZero();
        }
        for (Path f : files) {
            Path got = awaitAtPacs(DataSets.sopInstanceUid(f));
            assertThat(DataSets.read(got).contentEquals(DataSets.read(f)))
                    .as("attributes at PACS B vs the file storescu sent, %s", f.getFileName()).isTrue();
        }
    }
}
