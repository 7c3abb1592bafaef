package org.dicomrelay.it;

import org.dicomrelay.dicom.data.TransferSyntax;
import org.dicomrelay.dicom.net.AssociationOptions;
import org.dicomrelay.dicom.net.service.StorageSource;
import org.dicomrelay.dicom.net.service.StoreScu;
import org.dicomrelay.router.config.Compression;
import org.dicomrelay.router.link.PayloadCodec;
import org.dicomrelay.testkit.Samples;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 10, compression per route, through the enrolled routers and a recorded cloud: router A's
 * route to PACS_B (storescp +B) says zstd. Each file arrives byte-identical in its own transfer
 * syntax (PS3.5 §A.1-A.5); the sealed payload of an uncompressed CT/MR is smaller than its data set,
 * while a Deflated or JPEG one travels as it is (sealed, so a little larger).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class CompressedRouteThroughRoutersTest {
    private RelayNetwork net;

    @BeforeAll void start() throws Exception {
        net = RelayNetwork.with(RelayNetwork.Pacs.STORESCP).recordCloud()
                .compressionA(new Compression(PayloadCodec.NONE, null, java.util.Map.of("PACS_B", PayloadCodec.ZSTD))).start();
    }

    @AfterAll void stop() {
        if (net != null) net.close();
    }

    @Test void uncompressedObjectsTravelCompressedTheOthersAsTheyAreAndAllArriveByteIdentical() throws Exception {
        // explicit little endian CT, implicit little endian MR (native pixels); deflated; JPEG baseline
        for (String name : List.of("CT_small.dcm", "MR_small_implicit.dcm", "image_dfl.dcm", "SC_rgb_jpeg_dcmtk.dcm")) {
            Path f = Samples.file("test_files/" + name);
            StorageSource src = StorageSource.probe(f);
            Set<String> blobsBefore = new HashSet<>(net.recording.blobs.keySet());
            try (StoreScu scu = StoreScu.open("127.0.0.1", net.portA(), net.pacsAe, RelayNetwork.WORKSTATION,
                    List.of(new StoreScu.Need(src.sopClassUid(), src.transferSyntax().uid())), AssociationOptions.DEFAULT)) {
                assertThat(scu.store(src).status()).as("C-STORE-RSP from router A for %s", name).isZero();
            }
            net.awaitDelivered(src.sopInstanceUid());
            Path got = RelayNetwork.storedByStorescp(net.pacsDir, src.sopInstanceUid()).orElseThrow();
            assertThat(DataSets.transferSyntax(got)).as(name).isEqualTo(src.transferSyntax().uid());
            assertThat(DataSets.bytes(got)).as("data set at PACS B vs sent, %s", name).isEqualTo(DataSets.bytes(f));

            List<byte[]> sealed = net.recording.blobs.entrySet().stream().filter(e -> !blobsBefore.contains(e.getKey()))
                    .map(java.util.Map.Entry::getValue).toList();
            assertThat(sealed).as("sealed payloads uploaded for %s", name).hasSize(1);
            long dataSet;
            try (InputStream in = src.openDataSet()) {
                dataSet = in.readAllBytes().length;
            }
            TransferSyntax ts = src.transferSyntax();
            if (ts.isUncompressed() && !ts.deflated()) {
                assertThat((long) sealed.get(0).length).as("sealed, compressed payload of %s vs its data set", name).isLessThan(dataSet * 9 / 10);
            } else {
                assertThat((long) sealed.get(0).length).as("sealed payload of %s, sent as it is", name).isGreaterThan(dataSet);
            }
        }
    }
}
