package org.dicomrelay.relay.bridge;

import java.io.IOException;

/**
 * A directory record did not carry a valid signature of the pinned Bridge key: the directory was
 * altered after the Bridge signed it (or comes from another Bridge). Nothing of it may be used.
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
