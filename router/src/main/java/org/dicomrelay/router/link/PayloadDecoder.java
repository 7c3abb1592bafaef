package org.dicomrelay.router.link;

import org.dicomrelay.dicom.net.FailureText;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * A decompressing stream that tells a stream that does not decode ({@link CorruptPayloadException})
 * from a failure of the payload under it (passed as it is), and that ends only where the payload
 * ends: bytes after the compressed data are refused, so the payload is always read to its
 * authenticated end.
 */
final class PayloadDecoder extends FilterInputStream {
    private final Source source;
    private final PayloadCodec codec;

    PayloadDecoder(InputStream decompressed, Source source, PayloadCodec codec) {
        super(decompressed);
        this.source = source;
        this.codec = codec;
    }

    @Override public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xFF;
    }

    @Override public int read(byte[] b, int off, int len) throws IOException {
        int n;
        try {
            n = super.read(b, off, len);
        } catch (IOException | RuntimeException e) {
            throw classified(e);
        }
        if (n < 0 && source.read() >= 0) {
            throw new CorruptPayloadException("the " + codec.wireName() + "-compressed payload has bytes after its end", null);
        }
        return n;
    }

    /** Through {@link #read(byte[], int, int)}, so that a skip is classified and checked like a read. */
    @Override public long skip(long n) throws IOException {
        byte[] scratch = new byte[(int) Math.min(n, 8192)];
        long left = n;
        while (left > 0) {
            int k = read(scratch, 0, (int) Math.min(left, scratch.length));
            if (k < 0) break;
            left -= k;
        }
        return n - left;
    }

    private IOException classified(Exception e) {
        if (source.failure != null) return source.failure;
        return new CorruptPayloadException("the " + codec.wireName() + "-compressed payload does not decompress: " + FailureText.of(e), e);
    }

    /** The payload under the decoder: remembers its own failure, and is not closed with the decoder. */
    static final class Source extends FilterInputStream {
        volatile IOException failure;

        Source(InputStream in) {
            super(in);
        }

        @Override public int read() throws IOException {
            try {
                return super.read();
            } catch (IOException e) {
                failure = e;
                throw e;
            }
        }

        @Override public int read(byte[] b, int off, int len) throws IOException {
            try {
                return super.read(b, off, len);
            } catch (IOException e) {
                failure = e;
                throw e;
            }
        }

        @Override public void close() {
            // the courier owns the payload stream
        }
    }
}
