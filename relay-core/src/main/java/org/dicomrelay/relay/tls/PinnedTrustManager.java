package org.dicomrelay.relay.tls;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Trusts exactly one server certificate, named by its SHA-256 fingerprint (the Bridge's, printed at
 * its start and given to {@code enroll --bridge-fingerprint}). The pin names the certificate itself,
 * so neither the host name nor a CA is consulted: a self-signed certificate created by the Bridge
 * works under any address it is reached at, and nothing else does.
 */
public final class PinnedTrustManager extends X509ExtendedTrustManager {
    private final String pinned;

    /** @param fingerprint SHA-256, as {@link CertificateFingerprint#normalize} accepts it */
    public PinnedTrustManager(String fingerprint) {
        this.pinned = CertificateFingerprint.normalize(fingerprint);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        if (chain == null || chain.length == 0) throw new CertificateException("the server presented no certificate");
        String presented = CertificateFingerprint.of(chain[0]);
        if (!presented.equals(pinned)) throw new FingerprintMismatchException(presented, pinned);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        checkServerTrusted(chain, authType);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        checkServerTrusted(chain, authType);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("a pinned server certificate does not authenticate clients");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        checkClientTrusted(chain, authType);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        checkClientTrusted(chain, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
    }
}
