package org.dicomrelay.providers.nats;

/**
 * A router ID as one NATS subject token and consumer-name part: router IDs may hold '.', which
 * separates subject tokens, so every character outside [A-Za-z0-9-] becomes '_' and its two hex
 * digits (one to one: '_' itself is escaped too).
 */
final class SubjectTokens {
    private SubjectTokens() {}

    static String of(String routerId) {
        if (routerId == null || routerId.isEmpty()) throw new IllegalArgumentException("a router ID is needed for a NATS inbox subject");
        StringBuilder b = new StringBuilder(routerId.length());
        for (char c : routerId.toCharArray()) {
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-') b.append(c);
            else if (c < 0x100) b.append('_').append(String.format("%02X", (int) c));
            else throw new IllegalArgumentException("router ID '" + routerId + "' has a character NATS subjects cannot carry");
        }
        return b.toString();
    }
}
