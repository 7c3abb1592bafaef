package org.dicomrelay.relay.io;

import java.io.IOException;
import java.io.InputStream;

/**
 * {@link InputStream#read()} for streams that implement only the bulk read: one byte through
 * {@code read(byte[], int, int)}, read on while that returns 0 (a decrypting stream may, between segments).
 */
public final class SingleByte {
    private SingleByte() {}

    /** The next byte of {@code in} (0..255), or -1 at its end. */
    public static int read(InputStream in) throws IOException {
        byte[] one = new byte[1];
        int n;
        while ((n = in.read(one, 0, 1)) == 0) {
            // nothing yet: read on
        }
        return n < 0 ? -1 : one[0] & 0xff;
    }
}
