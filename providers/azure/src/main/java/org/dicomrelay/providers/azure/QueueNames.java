package org.dicomrelay.providers.azure;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A router's inbox queue name. Azure queue names are 3–63 of [a-z0-9-] without two hyphens in a
 * row; router IDs allow upper case, '.' and '_' and 64 characters. An ID that is already a valid
 * name part is used as is; any other gets a readable part and 12 hex digits of its SHA-256, so two
 * IDs never share an inbox ("Router_A" and "router-a" differ).
 */
final class QueueNames {
    private static final Pattern PLAIN = Pattern.compile("[a-z0-9]+(-[a-z0-9]+)*");
    private static final int MAX = 63;
    private static final int HASH_HEX = 12;

    private QueueNames() {}

    static String of(String queuePrefix, String routerId) {
        String plain = queuePrefix + routerId;
        if (PLAIN.matcher(routerId).matches() && plain.length() <= MAX && plain.length() >= 3) return plain;
        String readable = routerId.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-|-$", "");
        int room = MAX - queuePrefix.length() - HASH_HEX - 1;
        if (readable.length() > room) readable = readable.substring(0, room).replaceAll("-$", "");
        return queuePrefix + (readable.isEmpty() ? "" : readable + "-") + hash(routerId);
    }

    private static String hash(String s) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d).substring(0, HASH_HEX);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }
}
