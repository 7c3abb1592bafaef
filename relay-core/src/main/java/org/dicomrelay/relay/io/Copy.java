package org.dicomrelay.relay.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Copies a stream in reads of up to 256 KiB. {@link InputStream#transferTo} reads 8 KiB at a time
 * (Java 17): for an object's payload that is a system call per 8 KiB of the file, and a lock per
 * 8 KiB of a file still being written ({@code SpoolTail}), 12,800 of each per 100 MB. The first
 * megabyte goes in 32 KiB reads: most objects are smaller, and a 256 KiB buffer zeroed for each of
 * them cost more than the reads it saved.
 */
public final class Copy {
    static final int BUFFER_BYTES = 256 * 1024;
    static final int FIRST_BUFFER_BYTES = 32 * 1024;
    /** What a payload copies in small reads before it takes the large buffer. */
    static final long SMALL_BYTES = 1 << 20;

    private Copy() {}

    /** Copies what {@code in} holds into {@code out}; both stay open. Returns how many bytes. */
    public static long of(InputStream in, OutputStream out) throws IOException {
        byte[] buf = new byte[FIRST_BUFFER_BYTES];
        long total = 0;
        int n;
        // a read may return 0 (a decrypting stream between segments): read on
        while ((n = in.read(buf, 0, buf.length)) >= 0) {
            out.write(buf, 0, n);
            total += n;
            if (total >= SMALL_BYTES && buf.length < BUFFER_BYTES) buf = new byte[BUFFER_BYTES];
        }
        return total;
    }
}
