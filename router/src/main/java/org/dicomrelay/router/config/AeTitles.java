package org.dicomrelay.router.config;

import java.util.Optional;

/**
 * The AE title rule of PS3.5 §6.2 (VR AE): at most 16 characters of the default character
 * repertoire, no backslash (the value delimiter) and no control characters, and not only spaces
 * (leading and trailing spaces are not significant).
 */
public final class AeTitles {
    public static final int MAX_LENGTH = 16;

    private AeTitles() {}

    /** What is wrong with {@code ae}, or empty if it is a valid AE title. */
    public static Optional<String> problem(String ae) {
        if (ae == null || ae.isEmpty()) return Optional.of("an AE title is required");
        if (ae.length() > MAX_LENGTH) return Optional.of("an AE title has 1 to 16 characters (PS3.5 §6.2); this one has " + ae.length());
        if (ae.isBlank()) return Optional.of("an AE title cannot be only spaces (PS3.5 §6.2)");
        for (int i = 0; i < ae.length(); i++) {
            char c = ae.charAt(i);
            if (c == '\\') return Optional.of("an AE title cannot contain a backslash (PS3.5 §6.2)");
            if (c < 0x20 || c > 0x7E) return Optional.of("an AE title has no control or non-ASCII characters (PS3.5 §6.2)");
        }
        return Optional.empty();
    }
}
