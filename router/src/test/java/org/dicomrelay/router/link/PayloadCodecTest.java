package org.dicomrelay.router.link;

import org.dicomrelay.dicom.data.TransferSyntax;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Issue 10, compression per route: what router A's codec writes, router B's decodes to the same
 * bytes; a stream that does not decode, bytes after its end or a decompression bomb are refused
 * with a cause that names them, and a failure of the payload under the codec (authentication,
 * the cloud) passes unchanged.
 */
class PayloadCodecTest {
    private static final List<PayloadCodec> CODECS = List.of(PayloadCodec.ZSTD, PayloadCodec.DEFLATE);
    private static final long LIMIT = 64L << 20;

    /** 16-bit pixels like the bench's synthetic CT: a slow gradient plus 4 bits of noise. */
    private static byte[] pixels(int bytes) {
        Random rnd = new Random(7);
        byte[] b = new byte[bytes];
        for (int i = 0; i + 1 < b.length; i += 2) {
            int v = 1000 + (int) (200 * Math.sin(i / 5000.0)) + rnd.nextInt(16);
            b[i] = (byte) v;
            b[i + 1] = (byte) (v >> 8);
        }
        return b;
    }

    private static byte[] compressed(PayloadCodec codec, byte[] data, Path dir) throws IOException {
        Path f = Files.write(dir.resolve("object-" + codec.wireName()), data);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        codec.copy(f, out);
        return out.toByteArray();
    }

    private static byte[] decoded(PayloadCodec codec, byte[] payload, long limit) throws IOException {
        try (InputStream in = codec.decoder(new ByteArrayInputStream(payload), limit, "the test payload")) {
            return in.readAllBytes();
        }
    }

    @Test void eachCodecRoundTripsPixelDataSmallerThanItWas(@TempDir Path dir) throws Exception {
        byte[] data = pixels(512 * 512 * 2 + 1);
        for (PayloadCodec codec : CODECS) {
            byte[] c = compressed(codec, data, dir);
            assertThat(c.length).as(codec + " size vs the object's").isLessThan(data.length * 2 / 3);
            assertThat(decoded(codec, c, LIMIT)).as(codec + " round trip").isEqualTo(data);
        }
        assertThat(compressed(PayloadCodec.NONE, data, dir)).isEqualTo(data);
        assertThat(decoded(PayloadCodec.NONE, data, LIMIT)).isEqualTo(data);
        assertThat(decoded(PayloadCodec.ZSTD, compressed(PayloadCodec.ZSTD, new byte[0], dir), LIMIT)).isEmpty();
    }

    /** PS3.5 §A.4 and Annex A.5: encapsulated pixel data is compressed already, and so is a Deflated data set. */
    @Test void onlyTheNativeUncompressedTransferSyntaxesAreCompressed() {
        for (TransferSyntax ts : List.of(TransferSyntax.IMPLICIT_VR_LITTLE_ENDIAN, TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN,
                TransferSyntax.EXPLICIT_VR_BIG_ENDIAN)) {
            assertThat(PayloadCodec.ZSTD.forSyntax(ts)).as(ts.name()).isEqualTo(PayloadCodec.ZSTD);
        }
        for (String uid : List.of("1.2.840.10008.1.2.1.99", "1.2.840.10008.1.2.4.50", "1.2.840.10008.1.2.4.80", "1.2.840.10008.1.2.4.90",
                "1.2.840.10008.1.2.5", "1.2.840.10008.1.2.4.100")) {
            assertThat(PayloadCodec.ZSTD.forSyntax(TransferSyntax.of(uid))).as(uid).isEqualTo(PayloadCodec.NONE);
        }
    }

    @Test void aStreamThatDoesNotDecodeIsACorruptPayload(@TempDir Path dir) throws Exception {
        byte[] data = pixels(300_000);
        for (PayloadCodec codec : CODECS) {
            byte[] c = compressed(codec, data, dir);
            byte[] flipped = c.clone();
            flipped[c.length / 2] ^= 0x40;
            assertThatThrownBy(() -> decoded(codec, flipped, LIMIT)).as(codec + " with a byte flipped")
                    .isInstanceOf(CorruptPayloadException.class)
                    .hasMessageStartingWith("the " + codec.wireName() + "-compressed payload does not decompress: ");
            assertThatThrownBy(() -> decoded(codec, Arrays.copyOf(c, c.length - 7), LIMIT)).as(codec + " cut short")
                    .isInstanceOf(CorruptPayloadException.class);
            byte[] trailing = Arrays.copyOf(c, c.length + 3);
            assertThatThrownBy(() -> decoded(codec, trailing, LIMIT)).as(codec + " with bytes after its end")
                    .isInstanceOf(CorruptPayloadException.class);
            assertThatThrownBy(() -> decoded(codec, "not compressed at all".getBytes(), LIMIT)).as(codec + " of plain bytes")
                    .isInstanceOf(CorruptPayloadException.class);
        }
    }

    /** The payload limit applies to what comes out: 32 MiB of zeros compress to under 160 KiB. */
    @Test void aDecompressionBombStopsAtThePayloadLimit(@TempDir Path dir) throws Exception {
        byte[] zeros = new byte[32 << 20];
        for (PayloadCodec codec : CODECS) {
            byte[] bomb = compressed(codec, zeros, dir);
            assertThat(bomb.length).as("the bomb, compressed").isLessThan(zeros.length / 200);
            assertThatThrownBy(() -> decoded(codec, bomb, 1 << 20)).isInstanceOf(PayloadTooLargeException.class)
                    .hasMessage("the test payload once decompressed is larger than the limit of 1048576 bytes");
        }
    }

    @Test void aFailureOfThePayloadUnderTheCodecPassesAsItIs(@TempDir Path dir) throws Exception {
        byte[] c = compressed(PayloadCodec.ZSTD, pixels(400_000), dir);
        IOException cut = new IOException("ciphertext modified or truncated");
        InputStream failing = new InputStream() {
            int left = c.length / 2;
            int pos;

            @Override public int read() throws IOException {
                throw cut;
            }

            @Override public int read(byte[] b, int off, int len) throws IOException {
                if (left == 0) throw cut;
                int n = Math.min(len, left);
                System.arraycopy(c, pos, b, off, n);
                pos += n;
                left -= n;
                return n;
            }
        };
        try (InputStream in = PayloadCodec.ZSTD.decoder(failing, LIMIT, "the test payload")) {
            assertThatThrownBy(in::readAllBytes).isSameAs(cut);
        }
    }
}
