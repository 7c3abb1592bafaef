package org.dicomrelay.relay.tls;

import java.security.cert.CertificateException;

/** The server presented a certificate other than the pinned one; the message names both fingerprints. */
public final class FingerprintMismatchException extends CertificateException {
    private static final long serialVersionUID = 1L;

    public FingerprintMismatchException(String presented, String pinned) {
        super("the server presented a certificate with SHA-256 fingerprint " + presented + ", but " + pinned
                + " is pinned (--bridge-fingerprint): refused, nothing sent");
    }
}
