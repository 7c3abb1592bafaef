package org.dicomrelay.relay.bridge;

/**
 * The Bridge refused this router's credentials (HTTP 401 or 403): the router was revoked, or its
 * API key is unknown. Nothing sent with these credentials will be accepted until an operator acts.
 */
public final class BridgeAuthException extends BridgeException {
    private static final long serialVersionUID = 1L;

    public BridgeAuthException(int status, String message) {
        super(status, message);
    }
}
