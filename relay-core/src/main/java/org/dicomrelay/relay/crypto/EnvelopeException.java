package org.dicomrelay.relay.crypto;

import java.io.IOException;

/**
 * An envelope was rejected: malformed, not for us, from an unknown sender, not signed by its
 * sender, or its ciphertext was modified or truncated. Messages name router ids and message ids
 * only, never key material or plaintext.
 */
public class EnvelopeException extends IOException {
    private static final long serialVersionUID = 1L;

    public EnvelopeException(String message) {
        super(message);
    }

    public EnvelopeException(String message, Throwable cause) {
        super(message, cause);
    }
}
