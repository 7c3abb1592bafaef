package org.dicomrelay.bridge;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One range of a {@code Range: bytes=FIRST-LAST} request header (RFC 9110 section 14.1.2), both
 * ends inclusive; LAST may be left out (to the end). Several ranges, suffix ranges and other units
 * are not used by routers: {@link #parse} returns null for them and the whole blob is sent, as the
 * RFC allows.
 */
record ByteRange(long first, long last) {
    private static final Pattern ONE = Pattern.compile("bytes=([0-9]{1,18})-([0-9]{1,18})?");

    ByteRange {
        if (first < 0 || last < first) throw new IllegalArgumentException("not a byte range: " + first + "-" + last);
    }

    /** The range of the header, or null if there is none, or it is not one plain range. */
    static ByteRange parse(String header) {
        if (header == null) return null;
        Matcher m = ONE.matcher(header.trim());
        if (!m.matches()) return null;
        long first = Long.parseLong(m.group(1));
        long last = m.group(2) == null ? Long.MAX_VALUE - 1 : Long.parseLong(m.group(2));
        return last < first ? null : new ByteRange(first, last);
    }
}
