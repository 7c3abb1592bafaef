package org.dicomrelay.dicom.net.tls;

import javax.net.ssl.SSLParameters;
import java.util.List;

/**
 * The protocol versions and cipher suites of the BCP 195 profiles of PS3.15 Annex B (B.12, "BCP
 * 195 RFC 8996, 9325 TLS Secure Transport Connection Profile"; also what B.10, the non-downgrading
 * profile, allows): TLS 1.2 and 1.3 only (RFC 8996 retires 1.0 and 1.1), TLS 1.3 preferred (the
 * JDK picks the highest common version), and in TLS 1.2 only ephemeral ECDH key exchange with AEAD
 * ciphers: the suites RFC 9325 §4.2 recommends, plus ChaCha20-Poly1305 (RFC 7905). TLS 1.3 suites
 * are all AEAD with ephemeral keys.
 */
public final class Bcp195 {
    private Bcp195() {}

    public static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    public static final List<String> CIPHER_SUITES = List.of(
            // TLS 1.3 (RFC 8446)
            "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
            // TLS 1.2 (RFC 9325 §4.2; RFC 7905)
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

    /** Restricts {@code p} to the profile; the server picks the suite by its own order (RFC 9325 §4.2). */
    static SSLParameters apply(SSLParameters p) {
        p.setProtocols(PROTOCOLS.toArray(String[]::new));
        p.setCipherSuites(CIPHER_SUITES.toArray(String[]::new));
        p.setUseCipherSuitesOrder(true);
        // DICOM peers are known by their certificate in the trusted set, not by a host name (see DicomTls).
        p.setEndpointIdentificationAlgorithm(null);
        return p;
    }
}
