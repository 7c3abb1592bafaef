package org.dicomrelay.dicom.net;

import org.dicomrelay.dicom.data.Attributes;
import org.dicomrelay.dicom.data.TransferSyntax;
import org.dicomrelay.dicom.data.VR;
import org.dicomrelay.dicom.io.DicomOutputStream;
import org.dicomrelay.dicom.io.FileMetaInformation;
import org.dicomrelay.dicom.net.service.DimseServices;
import org.dicomrelay.dicom.net.service.FolderStorage;
import org.dicomrelay.dicom.net.service.StorageSource;
import org.dicomrelay.testkit.Peers;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A 600 MB object sent by DCMTK's storescu is received by our SCP running in a 64 MB heap (the
 * "small-heap" surefire execution): the data set streams from PDVs to disk, never held whole.
 */
@Tag("small-heap")
@Timeout(300)
class BigObjectSmallHeapTest {
    private static final long PIXELS = 600L * 1024 * 1024;

    @Test void storescuSends600MegabytesToOurScpInA64MegabyteHeap(@TempDir Path dir) throws Exception {
        assertThat(Runtime.getRuntime().maxMemory()).isLessThan(80L << 20);
        Path big = dir.resolve("big.dcm");
        Attributes ds = new Attributes();
        ds.setString(0x00080016, VR.UI, "1.2.840.10008.5.1.4.1.1.7");
        ds.setString(0x00080018, VR.UI, "2.25.1234567890123456789");
        ds.setString(0x00100010, VR.PN, "Big^Object");
        ds.setInt(0x00280010, VR.US, 16384);
        ds.setInt(0x00280011, VR.US, 19200);
        ds.setInt(0x00280100, VR.US, 16);
        try (OutputStream os = Files.newOutputStream(big)) {
            DicomOutputStream d = new DicomOutputStream(os, TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN);
            d.writeFileMetaInformation(FileMetaInformation.of(ds, TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN.uid()));
            d.writeDataSet(ds);
            d.writeHeader(org.dicomrelay.dicom.data.Tag.PixelData, VR.OW, PIXELS);
            d.flush();
            byte[] chunk = new byte[1 << 20];
            for (int i = 0; i < PIXELS / chunk.length; i++) {
                for (int j = 0; j < chunk.length; j += 4096) chunk[j] = (byte) (i + j);
                d.writeBytes(chunk);
            }
            d.finish();
        }
        Path stored = dir.resolve("stored");
        ApplicationEntity ae = new ApplicationEntity("BIGSCP").accept(ApplicationEntity.ANY, ApplicationEntity.ANY);
        try (DicomServer server = DicomServer.start(ae, "127.0.0.1", 0, 2, new DimseServices().onStore(new FolderStorage(stored)))) {
            Peers.Result r = Peers.run(List.of("storescu", "-R", "-xe", "-aec", "BIGSCP", "127.0.0.1", String.valueOf(server.port()),
                    big.toString()), Duration.ofSeconds(240));
            assertThat(r.exitCode()).as(r.output()).isZero();
        }
        Path got = stored.resolve("2.25.1234567890123456789.dcm");
        assertThat(digest(StorageSource.probe(got))).isEqualTo(digest(StorageSource.probe(big)));
    }

    private static String digest(StorageSource s) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (InputStream in = s.openDataSet()) {
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) md.update(buf, 0, n);
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
