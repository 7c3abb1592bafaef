package org.dicomrelay.router.link;

import java.io.IOException;

/**
 * An authenticated payload whose compressed stream does not decode (its sender's compressor or
 * codec is broken): refused, since the same object sent again would be compressed the same way.
 */
public final class CorruptPayloadException extends IOException {
    private static final long serialVersionUID = 1L;

    public CorruptPayloadException(String message, Throwable cause) {
        super(message, cause);
    }
}
