package org.dicomrelay.providers.s3;

import java.util.Map;

/** Reading whole-number settings with a message that names the setting. */
final class Settings {
    private Settings() {}

    static int intOf(Map<String, String> s, String key, int fallback) {
        String v = s.get(key);
        if (v == null || v.isBlank()) return fallback;
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Cloud IO setting '" + key + "' must be a whole number, not '" + v + "'");
        }
    }
}
