package org.dicomrelay.relay.bridge;

import java.io.IOException;

/** No answer from the Bridge at all (connection refused or reset, timeout): a network failure, not a refusal. */
public final class BridgeUnreachableException extends IOException {
    private static final long serialVersionUID = 1L;

    public BridgeUnreachableException(String message, Throwable cause) {
        super(message, cause);
    }
}
