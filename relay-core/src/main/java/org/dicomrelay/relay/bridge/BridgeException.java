package org.dicomrelay.relay.bridge;

import java.io.IOException;

/** The Bridge answered with an error status; {@link #status()} tells which (401: unknown or revoked router). */
public class BridgeException extends IOException {
    private static final long serialVersionUID = 1L;
    private final int status;

    public BridgeException(int status, String message) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
