package org.dicomrelay.relay.tls;

import java.security.GeneralSecurityException;

/** A Bridge URL that would send credentials in clear text over a network (plain http to a host that is not loopback). */
public final class InsecureBridgeUrlException extends GeneralSecurityException {
    private static final long serialVersionUID = 1L;

    public InsecureBridgeUrlException(String message) {
        super(message);
    }
}
