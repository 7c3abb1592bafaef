package org.dicomrelay.relay.cloud;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * Blob names: random, URL-safe, meaningless. They are visible to the cloud provider, so they must
 * never be derived from content (no UIDs, no patient data, no hashes of either).
 */
public final class BlobNames {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9_-]{16,128}");

    private BlobNames() {}

    /** 32 characters of base64url (RFC 4648 §5) over 24 bytes from {@link SecureRandom}: 192 random bits. */
    public static String random() {
        byte[] b = new byte[24];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /** Whether {@code name} is acceptable to every blob store: 16 to 128 of {@code [A-Za-z0-9_-]}. */
    public static boolean isValid(String name) {
        return name != null && VALID.matcher(name).matches();
    }

    /** @throws IllegalArgumentException unless {@link #isValid}; the message does not echo the name. */
    public static String check(String name) {
        if (!isValid(name)) {
            throw new IllegalArgumentException("invalid blob name: must be 16 to 128 characters of [A-Za-z0-9_-]");
        }
        return name;
    }
}
