package org.dicomrelay.relay.io;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** A payload crosses in reads of up to 256 KiB (InputStream.transferTo's 8 KiB was a system call per 8 KiB of a spooled object). */
class CopyTest {

    @Test void aLargePayloadCrossesWholeIn256KiBReadsAfterItsFirstMegabyte() throws IOException {
        byte[] payload = new byte[(2 << 20) + 7];
        new Random(1).nextBytes(payload);
        int[] reads = {0};
        var in = new FilterInputStream(new ByteArrayInputStream(payload)) {
            @Override public int read(byte[] b, int off, int len) throws IOException {
                reads[0]++;
                return super.read(b, off, len);
            }
        };
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        assertThat(Copy.of(in, out)).isEqualTo(payload.length);

        assertThat(out.toByteArray()).isEqualTo(payload);
        assertThat(reads[0]).as("32 reads of 32 KiB, 4 of 256 KiB, the 7 bytes left, the end").isEqualTo(38);
    }

    @Test void aReadOfNothingBetweenSegmentsIsNotTheEnd() throws IOException {
        int[] calls = {0};
        var in = new java.io.InputStream() {
            @Override public int read() {
                throw new UnsupportedOperationException();
            }

            @Override public int read(byte[] b, int off, int len) {
                return switch (calls[0]++) {
                    case 0 -> { b[off] = 1; yield 1; }
                    case 1 -> 0; // a decrypting stream between segments
                    case 2 -> { b[off] = 2; yield 1; }
                    default -> -1;
                };
            }
        };
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        Copy.of(in, out);

        assertThat(out.toByteArray()).containsExactly(1, 2);
    }
}
