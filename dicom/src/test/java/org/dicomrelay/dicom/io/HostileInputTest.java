package org.dicomrelay.dicom.io;

import org.dicomrelay.dicom.data.TransferSyntax;
import org.dicomrelay.testkit.Samples;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Input built to hurt: each case must end in a {@link DicomParseException} naming the offset and
 * the problem, quickly and within the test JVM's small heap (-Xmx256m), never in an
 * OutOfMemoryError, a StackOverflowError or a hang.
 */
@Timeout(20)
class HostileInputTest {

    private static DataSetReader reader(byte[] bytes) throws IOException {
        return new DataSetReader(new DicomInputStream(new ByteArrayInputStream(bytes), TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN));
    }

    private static ByteBuffer le(int capacity) {
        return ByteBuffer.allocate(capacity).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Test
    void everyTruncationOfARealFileFailsCleanly() throws IOException {
        byte[] file = Files.readAllBytes(Samples.file("test_files/rtplan.dcm"));
        // every cut inside the data set (the file is implicit VR with nested sequences)
        for (int cut = 140; cut < file.length; cut += 7) {
            byte[] part = Arrays.copyOf(file, cut);
            try {
                DicomFile.write(new ByteArrayOutputStream(), null,
                        new DataSetReader(new DicomInputStream(new ByteArrayInputStream(part))).readAll(), TransferSyntax.IMPLICIT_VR_LITTLE_ENDIAN);
            } catch (DicomParseException expected) {
                continue;
            }
            // A cut exactly between two top-level elements is a shorter but valid data set.
        }
        byte[] part = Arrays.copyOf(file, file.length - 3);
        assertThatThrownBy(() -> new DataSetReader(new DicomInputStream(new ByteArrayInputStream(part))).readAll())
                .isInstanceOf(DicomParseException.class).hasMessageContaining("truncated");
    }

    @Test
    void aLengthOf0xFFFFFFF0IsRefusedWithoutAllocatingIt() {
        // (0010,0010) UN with a 4-byte length of 0xFFFFFFF0 and 10 bytes of data
        ByteBuffer b = le(22).putShort((short) 0x0010).putShort((short) 0x0010).put((byte) 'U').put((byte) 'N')
                .putShort((short) 0).putInt(0xFFFFFFF0);
        assertThatThrownBy(() -> reader(b.array()).readAll())
                .isInstanceOf(DicomParseException.class)
                .hasMessageContaining("at offset 0 ").hasMessageContaining("4294967280");
    }

    @Test
    void aLengthOf0xFFFFFFF0InAFileIsCheckedAgainstTheFileSize() throws IOException {
        ByteBuffer b = le(22).putShort((short) 0x0010).putShort((short) 0x0010).put((byte) 'U').put((byte) 'N')
                .putShort((short) 0).putInt(0xFFFFFFF0);
        var tmp = Files.createTempFile("hostile", ".dcm");
        try {
            Files.write(tmp, b.array());
            assertThatThrownBy(() -> DicomFile.read(tmp))
                    .isInstanceOf(DicomParseException.class)
                    .hasMessageContaining("runs past the end of the data (22 bytes)");
        } finally {
            Files.delete(tmp);
        }
    }

    @Test
    void nesting100000DeepIsRefusedAtTheDepthLimit() {
        // SQ (undefined) > item (undefined) > SQ > item ... 100,000 levels, never closed
        int levels = 100_000;
        ByteBuffer b = le(levels * 20);
        for (int i = 0; i < levels; i++) {
            b.putShort((short) 0x0008).putShort((short) 0x1115).put((byte) 'S').put((byte) 'Q').putShort((short) 0).putInt(-1);
            b.putShort((short) 0xFFFE).putShort((short) 0xE000).putInt(-1);
        }
        assertThatThrownBy(() -> reader(b.array()).readAll())
                .isInstanceOf(DicomParseException.class)
                .hasMessageContaining("nested deeper than " + DicomInputStream.MAX_DEPTH);
    }

    @Test
    void nesting100000DeepIsRefusedByTheStreamingTranscoderToo() {
        int levels = 100_000;
        ByteBuffer b = le(levels * 20);
        for (int i = 0; i < levels; i++) {
            b.putShort((short) 0x0008).putShort((short) 0x1115).put((byte) 'S').put((byte) 'Q').putShort((short) 0).putInt(-1);
            b.putShort((short) 0xFFFE).putShort((short) 0xE000).putInt(-1);
        }
        assertThatThrownBy(() -> Transcoder.transcode(
                new DicomInputStream(new ByteArrayInputStream(b.array()), TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN),
                new DicomOutputStream(new ByteArrayOutputStream(), TransferSyntax.EXPLICIT_VR_BIG_ENDIAN)))
                .isInstanceOf(DicomParseException.class)
                .hasMessageContaining("nested deeper than");
    }

    @Test
    void aSequenceThatNeverEndsHitsTheMemoryLimit() throws IOException {
        // An endless stream of empty items: the reader must give up before the heap does.
        byte[] head = le(12).putShort((short) 0x0008).putShort((short) 0x1115).put((byte) 'S').put((byte) 'Q')
                .putShort((short) 0).putInt(-1).array();
        byte[] item = le(16).putShort((short) 0xFFFE).putShort((short) 0xE000).putInt(-1)
                .putShort((short) 0xFFFE).putShort((short) 0xE00D).putInt(0).array();
        InputStream endless = new InputStream() {
            long n;
            @Override public int read() {
                return item[(int) (n++ % item.length)] & 0xFF;
            }
            @Override public int read(byte[] b, int off, int len) {
                for (int i = 0; i < len; i++) b[off + i] = (byte) read();
                return len;
            }
        };
        DataSetReader r = new DataSetReader(new DicomInputStream(new SequenceInputStream(new ByteArrayInputStream(head), endless),
                TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN)).maxMemory(16 << 20);
        assertThatThrownBy(r::readAll)
                .isInstanceOf(DicomParseException.class)
                .hasMessageContaining("exceeds the in-memory limit");
    }

    @Test
    void aSequenceWithoutItsDelimiterIsTruncated() {
        ByteBuffer b = le(28).putShort((short) 0x0008).putShort((short) 0x1115).put((byte) 'S').put((byte) 'Q')
                .putShort((short) 0).putInt(-1)
                .putShort((short) 0xFFFE).putShort((short) 0xE000).putInt(-1)
                .putShort((short) 0xFFFE).putShort((short) 0xE00D).putInt(0);
        assertThatThrownBy(() -> reader(b.array()).readAll())
                .isInstanceOf(DicomParseException.class)
                .hasMessageContaining("at offset 28").hasMessageContaining("data ends inside the sequence of (0008,1115) begun at offset 0");
    }

    @Test
    void anItemLongerThanItsSequenceIsRefused() {
        ByteBuffer b = le(40).putShort((short) 0x0008).putShort((short) 0x1115).put((byte) 'S').put((byte) 'Q')
                .putShort((short) 0).putInt(8)
                .putShort((short) 0xFFFE).putShort((short) 0xE000).putInt(20).put(new byte[20]);
        assertThatThrownBy(() -> reader(b.array()).readAll())
                .isInstanceOf(DicomParseException.class)
                .hasMessageContaining("item length 20 runs past the end of sequence (0008,1115)");
    }

    @Test
    void anUnknownVRIsNamed() {
        ByteBuffer b = le(10).putShort((short) 0x0010).putShort((short) 0x0010).put((byte) 'Z').put((byte) 'Z').putShort((short) 0);
        assertThatThrownBy(() -> reader(b.array()).readAll())
                .isInstanceOf(DicomParseException.class)
                .hasMessageContaining("unknown VR bytes 0x5a5a in explicit VR header of (0010,0010)");
    }

    @Test
    void aStrayItemDelimiterAtTopLevelIsRefused() {
        ByteBuffer b = le(8).putShort((short) 0xFFFE).putShort((short) 0xE00D).putInt(0);
        assertThatThrownBy(() -> reader(b.array()).readAll())
                .isInstanceOf(DicomParseException.class)
                .hasMessageContaining("item delimitation item (FFFE,E00D) without an open item");
    }

    @Test
    void emptyAndTinyInputAreNamed() {
        assertThatThrownBy(() -> new DicomInputStream(new ByteArrayInputStream(new byte[0])))
                .isInstanceOf(DicomParseException.class).hasMessageContaining("empty input");
        assertThatThrownBy(() -> new DicomInputStream(new ByteArrayInputStream(new byte[5])))
                .isInstanceOf(DicomParseException.class).hasMessageContaining("too short");
    }
}
