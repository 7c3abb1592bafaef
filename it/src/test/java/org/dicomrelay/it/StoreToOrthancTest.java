package org.dicomrelay.it;

import org.dicomrelay.dicom.net.AssociationOptions;
import org.dicomrelay.dicom.net.service.StorageSource;
import org.dicomrelay.dicom.net.service.StoreScu;
import org.dicomrelay.testkit.Orthanc;
import org.dicomrelay.testkit.Samples;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The reference scenario with Orthanc 1.10.1 as PACS B: what a workstation at A stores reaches
 * Orthanc's storage folder through both routers. Orthanc parses and writes every object again
 * itself (DCMTK inside), so the relay is held to attribute identity everywhere, and to byte
 * identity for the objects Orthanc writes back unchanged (all samples here but the JPEG 2000 one).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class StoreToOrthancTest {
    private RelayNetwork net;

    @BeforeAll void start() throws Exception {
        net = RelayNetwork.with(RelayNetwork.Pacs.ORTHANC).start();
    }

    @AfterAll void stop() {
        if (net != null) net.close();
    }

    /** SOP instance UID → file, for every DICOM file in Orthanc's storage folder (its index lives there too). */
    private Map<String, Path> orthancFiles() throws IOException {
        Map<String, Path> out = new HashMap<>();
        try (Stream<Path> s = Files.walk(net.pacsDir)) {
            for (Path f : s.filter(Files::isRegularFile).toList()) {
                try {
                    out.put(StorageSource.probe(f).sopInstanceUid(), f);
                } catch (IOException notDicom) {
                    // Orthanc's SQLite index
                }
            }
        }
        return out;
    }

    @Test void storedAtAReachesOrthancsStorageWithTheSameAttributes() throws Exception {
        List<String> samples = List.of("test_files/CT_small.dcm", "test_files/MR_small_bigendian.dcm", "test_files/image_dfl.dcm",
                "test_files/SC_rgb_jpeg_dcmtk.dcm", "test_files/JPEG2000.dcm", "test_files/rtplan.dcm", "test_files/SC_rgb_rle.dcm");
        for (String name : samples) {
            StorageSource src = StorageSource.probe(Samples.file(name));
            try (StoreScu scu = StoreScu.open("127.0.0.1", net.portA(), net.pacsAe, RelayNetwork.WORKSTATION,
                    List.of(new StoreScu.Need(src.sopClassUid(), src.transferSyntax().uid())), AssociationOptions.DEFAULT)) {
                assertThat(scu.store(src).status()).as("C-STORE-RSP from router A for %s", name).isZero();
            }
        }
        Map<String, Boolean> byteIdentical = new TreeMap<>();
        for (String name : samples) {
            Path sent = Samples.file(name);
            net.awaitDelivered(DataSets.sopInstanceUid(sent));
            Path got = orthancFiles().get(DataSets.sopInstanceUid(sent));
            assertThat(got).as("%s in Orthanc's storage folder", name).isNotNull();
            assertThat(DataSets.transferSyntax(got)).as("transfer syntax kept by Orthanc, %s", name).isEqualTo(DataSets.transferSyntax(sent));
            assertThat(DataSets.read(got).contentEquals(DataSets.read(sent))).as("attributes in Orthanc vs sent, %s", name).isTrue();
            byteIdentical.put(name, Arrays.equals(DataSets.bytes(got), DataSets.bytes(sent)));
        }
        // Orthanc 1.10.1 writes back what it parsed: the JPEG 2000 sample's sequences of undefined length come
        // back with explicit lengths (as in OrthancInteropTest); every other sample is stored byte for byte.
        Map<String, Boolean> expected = new TreeMap<>();
        for (String name : samples) expected.put(name, !name.equals("test_files/JPEG2000.dcm"));
        assertThat(byteIdentical).as("data sets Orthanc stored byte for byte as sent at A").isEqualTo(expected);
    }
}
