package org.dicomrelay.relay.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

/** The one-byte read that {@code Envelope}'s plaintext and {@code RangedBlobInput} share (InputStream.read() contract: 0..255 or -1). */
class SingleByteTest {

    /** A stream that answers every other bulk read with 0 bytes, as a decrypting stream may between segments. */
    private static final class Stuttering extends InputStream {
        private final InputStream in;
        private boolean empty = true;

        Stuttering(byte[] bytes) {
            this.in = new ByteArrayInputStream(bytes);
        }

        @Override
        public int read() {
            throw new AssertionError("the helper must use the bulk read");
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            empty = !empty;
            return empty ? 0 : in.read(b, off, len);
        }
    }

    @Test
    void readsOnPastEmptyReadsAndReturnsBytesUnsignedThenEnd() throws IOException {
        InputStream in = new Stuttering(new byte[] {(byte) 0xff, 0x00, 0x7f});
        assertThat(SingleByte.read(in)).isEqualTo(0xff);
        assertThat(SingleByte.read(in)).isEqualTo(0x00);
        assertThat(SingleByte.read(in)).isEqualTo(0x7f);
        assertThat(SingleByte.read(in)).isEqualTo(-1);
    }
}
