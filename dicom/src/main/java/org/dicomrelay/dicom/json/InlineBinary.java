package org.dicomrelay.dicom.json;

import org.dicomrelay.dicom.data.BulkData;
import org.dicomrelay.dicom.data.ByteSwap;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Writer;
import java.util.Base64;

/**
 * Streams a value into base64 text (PS3.18 F.2.7) without holding more than a chunk of it, turning
 * big-endian words into little endian on the way: inline binary follows the byte order of the
 * Explicit VR Little Endian transfer syntax that DICOM web services default to (PS3.18 §8.7.3).
 */
final class InlineBinary {
    private InlineBinary() {}

    private static final int CHUNK = 8192; // a multiple of every swap unit (2, 4, 8)

    /** Opens a byte[] or {@link BulkData} value. */
    static InputStream open(Object value) throws IOException {
        if (value instanceof byte[] b) return new ByteArrayInputStream(b);
        return ((BulkData) value).openStream();
    }

    static long length(Object value) {
        return value instanceof byte[] b ? b.length : ((BulkData) value).length();
    }

    /** Base64 of what is written to the stream goes to {@code out}; closing the stream ends the text, not {@code out}. */
    static OutputStream encoder(Writer out) {
        return Base64.getEncoder().wrap(new WriterOutputStream(out));
    }

    /** Copies {@code in} to {@code out}, reversing each {@code swapUnit} bytes (1: none). */

    static void copy(InputStream in, int swapUnit, OutputStream out) throws IOException {
        byte[] chunk = new byte[CHUNK];
        int n;
        while ((n = in.readNBytes(chunk, 0, CHUNK)) > 0) {
            ByteSwap.swap(chunk, 0, n, swapUnit);
            out.write(chunk, 0, n);
        }
    }

    /** Base64 output is ASCII, so each byte is one char. */
    private static final class WriterOutputStream extends OutputStream {
        private final Writer out;
        private final char[] chars = new char[CHUNK * 2];

        WriterOutputStream(Writer out) { this.out = out; }

        @Override public void write(int b) throws IOException { out.write(b); }

        @Override public void write(byte[] b, int off, int len) throws IOException {
            while (len > 0) {
                int n = Math.min(len, chars.length);
                for (int i = 0; i < n; i++) chars[i] = (char) b[off + i];
                out.write(chars, 0, n);
                off += n;
                len -= n;
            }
        }

        @Override public void close() {}
    }
}
