package org.dicomrelay.relay.tls;

import java.io.ByteArrayInputStream;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;

/**
 * A router's TLS client identity at the Bridge: an EC P-256 key created by the router (it never
 * leaves it) and the certificate the Bridge issued for it at enrollment. {@link #toString()} never
 * shows the key.
 */
public record ClientIdentity(PrivateKey key, X509Certificate certificate) {

    public ClientIdentity {
        if (key == null || certificate == null) throw new IllegalArgumentException("client key or certificate is missing");
    }

    /** A new EC P-256 key pair (secp256r1, as PS3.15 Annex B's BCP 195 profiles and every TLS stack accept). */
    public static KeyPair newKeyPair() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    /** From the credentials file: the certificate (DER) and the key (PKCS#8), both base64. */
    public static ClientIdentity fromBase64(String certificateDer, String keyPkcs8) throws GeneralSecurityException {
        X509Certificate cert = certificate(Base64.getDecoder().decode(certificateDer));
        byte[] pkcs8 = Base64.getDecoder().decode(keyPkcs8);
        try {
            PrivateKey key = KeyFactory.getInstance(cert.getPublicKey().getAlgorithm()).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
            return new ClientIdentity(key, cert);
        } finally {
            Arrays.fill(pkcs8, (byte) 0);
        }
    }

    public static X509Certificate certificate(byte[] der) throws GeneralSecurityException {
        return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
    }

    @Override
    public String toString() {
        return "ClientIdentity[" + certificate.getSubjectX500Principal().getName() + ", key (hidden)]";
    }
}
