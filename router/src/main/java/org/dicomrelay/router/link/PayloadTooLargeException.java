package org.dicomrelay.router.link;

import java.io.IOException;

/** A payload went past the size this router accepts for its type: refused, and a resend would be refused again. */
public final class PayloadTooLargeException extends IOException {
    private static final long serialVersionUID = 1L;

    public PayloadTooLargeException(String message) {
        super(message);
    }
}
