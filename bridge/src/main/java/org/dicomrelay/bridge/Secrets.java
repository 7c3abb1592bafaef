package org.dicomrelay.bridge;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Bearer secrets: 256 random bits, base64url, behind a prefix that names what they are (so that a
 * leaked one is easy to recognise and to scan for). Only their SHA-256 is stored: with 256 bits of
 * entropy a slow password hash adds nothing.
 */
final class Secrets {
    static final String API_KEY_PREFIX = "drk_";
    static final String ENROLLMENT_TOKEN_PREFIX = "dre_";

    private static final SecureRandom RANDOM = new SecureRandom();

    private Secrets() {}

    static String newSecret(String prefix) {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return prefix + Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    static String sha256Hex(String secret) {
        return HexFormat.of().formatHex(sha256(secret));
    }

    /** Compares two secrets in time independent of where they differ. */
    static boolean matches(String presented, String expected) {
        return presented != null && MessageDigest.isEqual(sha256(presented), sha256(expected));
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
