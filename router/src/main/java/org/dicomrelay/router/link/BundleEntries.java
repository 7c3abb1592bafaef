package org.dicomrelay.router.link;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The plaintext of a bundle's payload: entries one after another, each
 * {@code int headerLength, header (the LinkCodec form of its StoreRq), long objectLength, object bytes},
 * and nothing after the last. Lengths come first so that router B hands each object to the C-STORE
 * handler as a stream of exactly its bytes, and a bundle cut inside an object is an error, never a
 * shorter object.
 */
final class BundleEntries {
    /** A header is a StoreRq with UIDs and AE titles: far below this. */
    static final int MAX_HEADER_BYTES = 16 * 1024;
    /** What an entry adds to its object: the two lengths (the header is counted apart). */
    static final int FRAMING_BYTES = Integer.BYTES + Long.BYTES;

    private BundleEntries() {}

    /** Writes one entry; the writer must write exactly {@code length} bytes, or the bundle is broken (an IOException). */
    static void write(DataOutputStream out, byte[] header, long length, Courier.PayloadWriter object) throws IOException {
        out.writeInt(header.length);
        out.write(header);
        out.writeLong(length);
        Exact exact = new Exact(out, length);
        object.writeTo(exact);
        if (exact.remaining != 0) throw new IOException("the object was " + (length - exact.remaining) + " bytes, not the " + length + " announced");
    }

    /** The next entry's header; an EOFException where none begins. */
    static LinkMessage.StoreRq header(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n <= 0 || n > MAX_HEADER_BYTES) throw new IOException("an entry header of " + n + " bytes");
        byte[] h = new byte[n];
        in.readFully(h);
        LinkCodec.Decoded d = LinkCodec.decode(h);
        if (!(d.message() instanceof LinkMessage.StoreRq rq) || d.blob() != null) {
            throw new IOException("a bundle entry is " + d.message().type() + ", not a STORE_RQ without blob");
        }
        return rq;
    }

    /**
     * The object's bytes of the entry whose header was just read: a stream that ends after exactly them. The
     * {@code last} entry ends only once the bundle is read to its authenticated end (and deleted from the cloud,
     * {@link ConsumedOnEnd}): its handler answers after that, so an answer to every entry means the blob is gone.
     */
    static Entry object(DataInputStream in, boolean last) throws IOException {
        long n = in.readLong();
        if (n < 0) throw new IOException("an entry of " + n + " bytes");
        return new Entry(in, n, last);
    }

    /** One object's bytes; a read failure (authentication, the cloud) is kept for the reader of the bundle. */
    static final class Entry extends InputStream {
        private final InputStream in;
        private final boolean last;
        private long remaining;
        private boolean ended;
        private IOException failure;

        private Entry(InputStream in, long length, boolean last) {
            this.in = in;
            this.remaining = length;
            this.last = last;
        }

        @Override public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }

        @Override public int read(byte[] b, int off, int len) throws IOException {
            if (failure != null) throw new IOException(failure.getMessage(), failure);
            if (remaining == 0) {
                if (last && !ended) end();
                return -1;
            }
            if (len == 0) return 0;
            int n;
            try {
                n = in.read(b, off, (int) Math.min(len, remaining));
                if (n < 0) throw new EOFException("the bundle ends " + remaining + " bytes before the end of this object");
            } catch (IOException e) {
                failure = e;
                throw e;
            }
            remaining -= n;
            return n;
        }

        /** After the last entry: nothing but the bundle's authenticated end. */
        private void end() throws IOException {
            try {
                if (in.read() >= 0) throw new IOException("the bundle has bytes after its last entry");
                ended = true;
            } catch (IOException e) {
                failure = e;
                throw e;
            }
        }

        @Override public int available() throws IOException {
            return (int) Math.min(in.available(), remaining);
        }

        /** Reads what the handler left of this object (it may refuse one unread), so that the next entry can begin. */
        void skipRest() throws IOException {
            byte[] buf = new byte[8192];
            while (read(buf, 0, buf.length) >= 0) {
                // discarded: authenticated, not wanted
            }
        }

        /** Why reading this object failed, or null. */
        IOException failure() {
            return failure;
        }

        /** The bundle itself stays open: the next entry follows. */
        @Override public void close() {}
    }

    /** Passes exactly the announced bytes; more is refused at once, fewer is found by the caller. */
    private static final class Exact extends FilterOutputStream {
        long remaining;

        Exact(OutputStream out, long length) {
            super(out);
            this.remaining = length;
        }

        @Override public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override public void write(byte[] b, int off, int len) throws IOException {
            if (len > remaining) throw new IOException("the object is longer than the " + remaining + " bytes still announced");
            out.write(b, off, len);
            remaining -= len;
        }

        /** The bundle stays open: the next entry follows. */
        @Override public void close() {}
    }
}
