package org.dicomrelay.relay.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Copies a stream in 256 KiB reads. {@link InputStream#transferTo} reads 8 KiB at a time (Java 17):
 * for an object's payload that is a system call per 8 KiB of the file, and a lock per 8 KiB of a
 * file still being written ({@code SpoolTail}), 12,800 of each per 100 MB.
 */
public final class Copy {
    static final int BUFFER_BYTES = 256 * 1024;

    private Copy() {}

    /** Copies what {@code in} holds into {@code out}; both stay open. Returns how many bytes. */
    public static long of(InputStream in, OutputStream out) throws IOException {
        byte[] buf = new byte[BUFFER_BYTES];
        long total = 0;
        int n;
        // a read may return 0 (a decrypting stream between segments): read on
        while ((n = in.read(buf, 0, buf.length)) >= 0) {
            out.write(buf, 0, n);
            total += n;
        }
        return total;
    }
}
