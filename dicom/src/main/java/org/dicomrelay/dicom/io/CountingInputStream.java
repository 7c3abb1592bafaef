package org.dicomrelay.dicom.io;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/** Counts bytes consumed, so that every error can name its offset. Supports mark/reset if the source does. */
final class CountingInputStream extends FilterInputStream {
    private long count;
    private long mark;

    CountingInputStream(InputStream in) {
        super(in);
    }

    long count() { return count; }

    @Override public int read() throws IOException {
        int b = in.read();
        if (b >= 0) count++;
        return b;
    }

    @Override public int read(byte[] b, int off, int len) throws IOException {
        int n = in.read(b, off, len);
        if (n > 0) count += n;
        return n;
    }

    @Override public long skip(long n) throws IOException {
        long s = in.skip(n);
        if (s > 0) count += s;
        return s;
    }

    @Override public synchronized void mark(int readlimit) {
        in.mark(readlimit);
        mark = count;
    }

    @Override public synchronized void reset() throws IOException {
        in.reset();
        count = mark;
    }
}
