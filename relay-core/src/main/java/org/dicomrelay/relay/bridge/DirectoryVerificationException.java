package org.dicomrelay.relay.bridge;

import java.io.IOException;

/**
 * Directory records do not carry a valid signature of the pinned Bridge key: altered after the
 * Bridge signed them. Thrown by {@link BridgeClient#directory()} when no router record verifies
 * (the directory comes from another Bridge, or the pinned key is wrong): nothing of it may be
 * used. A single bad record is only left out (see {@link Directory#rejected()}).
 */
public class DirectoryVerificationException extends IOException {
    private static final long serialVersionUID = 1L;

    public DirectoryVerificationException(String message) {
        super(message);
    }

    public DirectoryVerificationException(String message, Throwable cause) {
        super(message, cause);
    }
}
