package org.dicomrelay.relay.tls;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.Locale;

/**
 * The SHA-256 fingerprint of a certificate (of its DER encoding), written as operators compare it:
 * 32 upper-case hex bytes separated by colons, as {@code openssl x509 -fingerprint -sha256} prints it.
 */
public final class CertificateFingerprint {
    private static final HexFormat COLONS = HexFormat.ofDelimiter(":").withUpperCase();

    private CertificateFingerprint() {}

    public static String of(X509Certificate certificate) {
        try {
            return COLONS.formatHex(sha256(certificate.getEncoded()));
        } catch (CertificateEncodingException e) {
            throw new IllegalArgumentException("certificate cannot be encoded: " + e.getMessage(), e);
        }
    }

    /**
     * A fingerprint as an operator typed it (hex, with or without colons or spaces, any case) in the
     * canonical form; IllegalArgumentException if it is not 32 bytes of hex.
     */
    public static String normalize(String typed) {
        if (typed == null) throw new IllegalArgumentException("the Bridge fingerprint is missing");
        String hex = typed.strip().replace(":", "").replace(" ", "").toLowerCase(Locale.ROOT);
        if (hex.startsWith("sha256/")) hex = hex.substring("sha256/".length());
        if (!hex.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("not a SHA-256 fingerprint (64 hex digits, colons allowed): '" + typed.strip() + "'");
        }
        return COLONS.formatHex(HexFormat.of().parseHex(hex));
    }

    static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
