package org.dicomrelay.relay.crypto;

/**
 * Rules for the identifiers an envelope header carries in clear (router ids, message ids, content
 * types): 1 to 255 printable ASCII characters without spaces. They are routing data, never
 * patient data.
 */
final class Ids {
    static final int MAX_LENGTH = 255;

    private Ids() {}

    static String check(String what, String id) {
        if (id == null || id.isEmpty()) throw new IllegalArgumentException(what + " is empty");
        if (id.length() > MAX_LENGTH) throw new IllegalArgumentException(what + " longer than " + MAX_LENGTH + " characters");
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (c < 0x21 || c > 0x7e) {
                throw new IllegalArgumentException(what + " must be printable ASCII without spaces");
            }
        }
        return id;
    }
}
