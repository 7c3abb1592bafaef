package org.dicomrelay.dicom.io;

import org.dicomrelay.dicom.data.Attributes;
import org.dicomrelay.dicom.data.BulkData;
import org.dicomrelay.dicom.data.TransferSyntax;
import org.dicomrelay.dicom.data.VR;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.io.SequenceInputStream;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Multi-GB data sets copied and transcoded with a 64 MB heap: surefire runs this class alone in a
 * JVM started with -Xmx64m (the "small-heap" execution in dicom/pom.xml), so holding a value in
 * memory would fail it.
 */
@org.junit.jupiter.api.Tag("small-heap")
class LargeDataSetSmallHeapTest {
    private static final long PIXELS = 3L * 1024 * 1024 * 1024; // 3 GiB of OW pixel data

    @Test
    void runsWithTheSmallHeap() {
        assertThat(Runtime.getRuntime().maxMemory()).isLessThan(80L << 20);
    }

    @Test
    void aThreeGigabyteStreamIsTranscodedLittleToBigEndian() throws IOException {
        Attributes head = new Attributes();
        head.setString(0x00100010, VR.PN, "Big^Object");
        ByteArrayOutputStream headBytes = new ByteArrayOutputStream();
        DicomOutputStream h = new DicomOutputStream(headBytes, TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN);
        h.writeDataSet(head);
        h.writeHeader(org.dicomrelay.dicom.data.Tag.PixelData, VR.OW, PIXELS);
        h.finish();
        InputStream src = new SequenceInputStream(new ByteArrayInputStream(headBytes.toByteArray()), new PatternStream(PIXELS));

        CheckingSink sink = new CheckingSink(headBytes.size());
        DicomOutputStream out = new DicomOutputStream(sink, TransferSyntax.EXPLICIT_VR_BIG_ENDIAN);
        Transcoder.transcode(new DicomInputStream(src, TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN), out);

        assertThat(sink.count).isEqualTo(headBytes.size() + PIXELS);
        assertThat(sink.swapErrors).as("16-bit words swapped").isZero();
    }

    @Test
    void aThreeGigabyteFileIsReadWithBulkDataAndWrittenBigEndian(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("big.dcm");
        Attributes ds = new Attributes();
        ds.setString(0x00080016, VR.UI, "1.2.840.10008.5.1.4.1.1.7");
        ds.setString(0x00080018, VR.UI, "1.2.3.4");
        try (OutputStream os = java.nio.file.Files.newOutputStream(file)) {
            DicomOutputStream d = new DicomOutputStream(os, TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN);
            d.writeFileMetaInformation(FileMetaInformation.of(ds, TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN.uid()));
            d.writeDataSet(ds);
            d.writeHeader(org.dicomrelay.dicom.data.Tag.PixelData, VR.OW, PIXELS);
            d.finish();
        }
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(raf.length() + PIXELS); // sparse: zeros cost no disk
            raf.seek(raf.length() - 2);
            raf.write(new byte[] {0x01, 0x02});
        }
        DicomFile f = DicomFile.read(file);
        assertThat(f.dataSet().get(org.dicomrelay.dicom.data.Tag.PixelData).value()).isInstanceOf(BulkData.class);

        LastBytesSink sink = new LastBytesSink();
        DicomFile.write(sink, f.meta(), f.dataSet(), TransferSyntax.EXPLICIT_VR_BIG_ENDIAN);
        assertThat(sink.count).isGreaterThan(PIXELS);
        assertThat(sink.last).containsExactly(0x02, 0x01);
    }

    /** Little-endian 16-bit words counting up: word i is (i & 0xFFFF), so the bytes repeat every 128 KiB. */
    private static final class PatternStream extends InputStream {
        private static final byte[] PERIOD = new byte[131072];
        static {
            for (int w = 0; w < 65536; w++) {
                PERIOD[2 * w] = (byte) w;
                PERIOD[2 * w + 1] = (byte) (w >> 8);
            }
        }
        private final long size;
        private long pos;

        PatternStream(long size) { this.size = size; }

        @Override public int read() {
            return pos >= size ? -1 : PERIOD[(int) (pos++ % PERIOD.length)] & 0xFF;
        }

        @Override public int read(byte[] b, int off, int len) {
            if (pos >= size) return -1;
            int start = (int) (pos % PERIOD.length);
            int n = (int) Math.min(Math.min(len, size - pos), PERIOD.length - start);
            System.arraycopy(PERIOD, start, b, off, n);
            pos += n;
            return n;
        }
    }

    /** Counts bytes and checks that words after the header arrive big endian. */
    private static final class CheckingSink extends OutputStream {
        final long headerSize;
        long count;
        long swapErrors;
        int pending = -1;

        CheckingSink(long headerSize) { this.headerSize = headerSize; }

        @Override public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override public void write(byte[] b, int off, int len) {
            for (int i = 0; i < len; i++) {
                long p = count++ - headerSize;
                if (p < 0 || (p & 0xFFFFF) > 64) continue; // check the first bytes of each MiB
                long word = p >> 1;
                int expected = (int) ((p & 1) == 0 ? (word >> 8) & 0xFF : word & 0xFF);
                if ((b[off + i] & 0xFF) != expected) swapErrors++;
            }
        }
    }

    private static final class LastBytesSink extends OutputStream {
        long count;
        int[] last = new int[2];

        @Override public void write(int b) {
            count++;
            last[0] = last[1];
            last[1] = b & 0xFF;
        }

        @Override public void write(byte[] b, int off, int len) {
            count += len;
            if (len >= 2) {
                last[0] = b[off + len - 2] & 0xFF;
                last[1] = b[off + len - 1] & 0xFF;
            } else if (len == 1) {
                last[0] = last[1];
                last[1] = b[off] & 0xFF;
            }
        }
    }
}
