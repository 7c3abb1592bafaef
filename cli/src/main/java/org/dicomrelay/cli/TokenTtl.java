package org.dicomrelay.cli;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A token's validity as an operator types it: a number and a unit (m, h or d), e.g. 30m, 24h, 7d. */
final class TokenTtl {
    private static final Pattern TEXT = Pattern.compile("([1-9][0-9]{0,6})([mhd])");

    private TokenTtl() {}

    static Duration parse(String text) {
        Matcher m = TEXT.matcher(text.strip());
        if (!m.matches()) throw new IllegalArgumentException("--ttl '" + text + "' is not a number and a unit m, h or d (e.g. 30m, 24h, 7d)");
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
    }
}
