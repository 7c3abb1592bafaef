package org.dicomrelay.relay.tls;

import java.security.cert.CertificateException;

/** The server presented a certificate other than the pinned one; the message names both fingerprints. */
public final class FingerprintMismatchException extends CertificateException {
    private static final long serialVersionUID = 1L;

    public FingerprintMismatchException(String presented, String pinned) {
        super("the server presented a certificate with SHA-256 fingerprint " + presented + ", but " + pinned
                + " is pinned (--bridge-fingerprint): refused, nothing sent");
    }

    /** The pinning refusal among a failure's causes (the HTTP client wraps it in its handshake failure), or null. */
    public static FingerprintMismatchException in(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof FingerprintMismatchException m) return m;
        }
        return null;
    }
}
