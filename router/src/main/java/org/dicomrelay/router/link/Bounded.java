package org.dicomrelay.router.link;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/** A stream that fails with {@link PayloadTooLargeException} as soon as more than {@code limit} bytes were read from it. */
final class Bounded extends FilterInputStream {
    private final long limit;
    private final String what;
    private long count;

    Bounded(InputStream in, long limit, String what) {
        super(in);
        this.limit = limit;
        this.what = what;
    }

    @Override public int read() throws IOException {
        int b = super.read();
        if (b >= 0) counted(1);
        return b;
    }

    @Override public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, (int) Math.min(len, limit - count + 1));
        if (n > 0) counted(n);
        return n;
    }

    @Override public long skip(long n) throws IOException {
        long k = super.skip(Math.min(n, limit - count + 1));
        if (k > 0) counted(k);
        return k;
    }

    private void counted(long n) throws PayloadTooLargeException {
        count += n;
        if (count > limit) throw new PayloadTooLargeException(what + " is larger than the limit of " + limit + " bytes");
    }
}
