package org.dicomrelay.dicom.net.service;

import org.dicomrelay.dicom.data.VR;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One key of a C-FIND, C-MOVE or C-GET identifier, parsed for matching by PS3.4 §C.2.2.2. Our
 * conformance, where the standard leaves the choice to the SCP:
 * <ul>
 * <li>Single value and wild card matching are case-sensitive for every VR, PN included (§C.2.2.2.1
 *     allows PN to be matched insensitively; we don't). Person names are compared as decoded
 *     text (each side with its own Specific Character Set). A PN key without "=" is matched
 *     against the whole name and against each of its component groups, so "Yamada^Tarou" and
 *     "山田^太郎" both find "Yamada^Tarou=山田^太郎=やまだ^たろう"; trailing empty components
 *     and groups ("^", "=") are not significant.
 * <li>DA, TM and DT are compared by meaning: separators of old formats ("." in dates, ":" in
 *     times) are dropped, and a key value stands for the whole span of its precision, so TM
 *     "2230" matches 223000 to 225959.999999 and the range "-1200" ends at 12:00:59.999999.
 *     A DT offset from UTC is ignored. Date and time are matched separately (no combined
 *     datetime matching; it is an extended negotiation we don't accept).
 * <li>A value of "*" is universal matching for any VR (also UI, where wild cards are otherwise
 *     not defined and a value is a UID or a list of UIDs, §C.2.2.2.2).
 * <li>Several values in a key (backslash) match when any of them matches (a list of UIDs for UI,
 *     the same rule extended to the other VRs), and a multi-valued attribute matches when any of
 *     its values matches (§C.2.2.3).
 * <li>An entity whose attribute has no value matches any key (§C.2.2.1.2: an unknown value).
 * </ul>
 */
final class KeyMatcher {
    private final int tag;
    private final VR vr;
    private final boolean universal;
    private final List<Alternative> alternatives;
    private final boolean uniqueKey;

    private KeyMatcher(int tag, VR vr, boolean universal, List<Alternative> alternatives, boolean uniqueKey) {
        this.tag = tag;
        this.vr = vr;
        this.universal = universal;
        this.alternatives = alternatives;
        this.uniqueKey = uniqueKey;
    }

    int tag() { return tag; }

    VR vr() { return vr; }

    boolean isUniversal() { return universal; }

    /** Thrown for a key value that cannot be matched, e.g. a malformed date range. */
    static final class InvalidKeyException extends Exception {
        InvalidKeyException(String message) {
            super(message);
        }
    }

    /**
     * A key from its values as decoded (split at backslashes, trimmed as the VR allows). For a
     * unique key, an entity without a value never matches (every entity has one, §C.2.2.1.1).
     */
    static KeyMatcher parse(int tag, VR vr, String[] values, boolean uniqueKey) throws InvalidKeyException {
        boolean universal = values.length == 0 || (values.length == 1 && values[0].isEmpty());
        List<Alternative> alts = new ArrayList<>();
        if (!universal) {
            for (String v : values) {
                if (v.equals("*")) {
                    universal = true;
                    break;
                }
                if (v.isEmpty()) continue;
                alts.add(alternative(tag, vr, v));
            }
            if (alts.isEmpty()) universal = true;
        }
        return new KeyMatcher(tag, vr, universal, universal ? List.of() : alts, uniqueKey);
    }

    /** Whether an entity with these values of the attribute (decoded, trimmed) matches. */
    boolean matches(String[] recordValues) {
        if (universal) return true;
        boolean any = false;
        for (String r : recordValues) {
            if (r == null || r.isEmpty()) continue;
            any = true;
            for (Alternative a : alternatives) if (a.matches(r)) return true;
        }
        return !any && !uniqueKey; // no value: unknown, which matches (PS3.4 §C.2.2.1.2)
    }

    /** For UI keys: the UIDs listed, or null when universal. */
    List<String> uids() {
        if (universal) return null;
        List<String> out = new ArrayList<>();
        for (Alternative a : alternatives) if (a instanceof Literal l) out.add(l.value);
        return out;
    }

    /** Whether the key is single value or list of UID matching only (no wild card, no range). */
    boolean isLiteral() {
        return !universal && alternatives.stream().allMatch(a -> a instanceof Literal);
    }

    // ---- alternatives ---------------------------------------------------------------------

    private interface Alternative {
        boolean matches(String recordValue);
    }

    private static Alternative alternative(int tag, VR vr, String v) throws InvalidKeyException {
        switch (vr) {
            case DA, TM, DT -> {
                return range(tag, vr, v);
            }
            case AE, CS, LO, LT, PN, SH, ST, UC, UR, UT -> {
                boolean wild = v.indexOf('*') >= 0 || v.indexOf('?') >= 0;
                if (vr == VR.PN) return new PersonName(v, wild);
                return wild ? new Wildcard(v) : new Literal(v);
            }
            case IS, DS, US, SS, UL, SL, FL, FD -> {
                try {
                    return new Numeric(new BigDecimal(v));
                } catch (NumberFormatException e) {
                    throw new InvalidKeyException("not a number: \"" + v + "\" in " + org.dicomrelay.dicom.data.Tag.toString(tag));
                }
            }
            default -> {
                return new Literal(v);
            }
        }
    }

    private record Literal(String value) implements Alternative {
        @Override public boolean matches(String r) { return value.equals(r); }
    }

    private record Numeric(BigDecimal value) implements Alternative {
        @Override public boolean matches(String r) {
            try {
                return value.compareTo(new BigDecimal(r)) == 0;
            } catch (NumberFormatException e) {
                return false;
            }
        }
    }

    private static Pattern wildcardPattern(String v) {
        StringBuilder re = new StringBuilder();
        int start = 0;
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c == '*' || c == '?') {
                if (i > start) re.append(Pattern.quote(v.substring(start, i)));
                re.append(c == '*' ? ".*" : ".");
                start = i + 1;
            }
        }
        if (start < v.length()) re.append(Pattern.quote(v.substring(start)));
        return Pattern.compile(re.toString(), Pattern.DOTALL);
    }

    private record Wildcard(Pattern pattern) implements Alternative {
        Wildcard(String v) {
            this(wildcardPattern(v));
        }

        @Override public boolean matches(String r) { return pattern.matcher(r).matches(); }
    }

    /** PN: whole name, or (for a key without "=") any single component group. */
    private static final class PersonName implements Alternative {
        private final String key;
        private final Pattern pattern;
        private final boolean groups;

        PersonName(String v, boolean wild) {
            this.key = normalizeName(v);
            this.pattern = wild ? wildcardPattern(key) : null;
            this.groups = v.indexOf('=') < 0;
        }

        @Override public boolean matches(String r) {
            String name = normalizeName(r);
            if (test(name)) return true;
            if (groups && name.indexOf('=') >= 0) {
                for (String g : name.split("=", -1)) if (!g.isEmpty() && test(g)) return true;
            }
            return false;
        }

        private boolean test(String s) {
            return pattern != null ? pattern.matcher(s).matches() : key.equals(s);
        }
    }

    /** Drops trailing empty components of each group and trailing empty groups. */
    static String normalizeName(String pn) {
        String[] groups = pn.split("=", -1);
        StringBuilder sb = new StringBuilder();
        int last = -1;
        for (int i = 0; i < groups.length; i++) {
            groups[i] = stripTrailing(groups[i]);
            if (!groups[i].isEmpty()) last = i;
        }
        for (int i = 0; i <= last; i++) {
            if (i > 0) sb.append('=');
            sb.append(groups[i]);
        }
        return sb.toString();
    }

    private static String stripTrailing(String g) {
        int end = g.length();
        while (end > 0 && (g.charAt(end - 1) == '^' || g.charAt(end - 1) == ' ')) end--;
        return g.substring(0, end);
    }

    // ---- dates and times ------------------------------------------------------------------

    private static final Pattern DA = Pattern.compile("\\d{4}(\\d{2}){0,2}");
    private static final Pattern TM = Pattern.compile("(\\d{2}){1,3}(\\.\\d{1,6})?");
    private static final Pattern DT = Pattern.compile("(\\d{4}(?:\\d{2}){0,5})(\\.\\d{1,6})?([+-]\\d{4})?");

    /** [lo, hi] as fixed-width digit strings; null bounds are open. */
    private record Range(String lo, String hi, VR vr) implements Alternative {
        @Override public boolean matches(String r) {
            String v = normalize(r, vr, '0');
            if (v == null) return false;
            return (lo == null || v.compareTo(lo) >= 0) && (hi == null || v.compareTo(hi) <= 0);
        }
    }

    private static Alternative range(int tag, VR vr, String v) throws InvalidKeyException {
        String s = v.strip();
        if (s.equals("-")) return r -> true;
        if (s.indexOf('-') < 0) {
            String lo = normalize(s, vr, '0'), hi = normalize(s, vr, '9');
            if (lo == null) throw invalid(tag, vr, v);
            return new Range(lo, hi, vr);
        }
        // A DT may carry a negative UTC offset: try each "-" as the range separator.
        for (int i = s.indexOf('-'); i >= 0; i = s.indexOf('-', i + 1)) {
            String a = s.substring(0, i).strip(), b = s.substring(i + 1).strip();
            String lo = a.isEmpty() ? null : normalize(a, vr, '0');
            String hi = b.isEmpty() ? null : normalize(b, vr, '9');
            if ((a.isEmpty() || lo != null) && (b.isEmpty() || hi != null)) return new Range(lo, hi, vr);
        }
        throw invalid(tag, vr, v);
    }

    private static InvalidKeyException invalid(int tag, VR vr, String v) {
        return new InvalidKeyException("invalid " + vr + " matching value \"" + v + "\" in " + org.dicomrelay.dicom.data.Tag.toString(tag));
    }

    /**
     * A date, time or datetime as a fixed-width digit string, missing digits filled with
     * {@code fill} ('0' for a lower bound and for stored values, '9' for an upper bound); null
     * when the value is not one.
     */
    static String normalize(String value, VR vr, char fill) {
        String s = value.strip();
        switch (vr) {
            case DA -> {
                s = s.replace(".", "");
                if (!DA.matcher(s).matches()) return null;
                return pad(s, 8, fill);
            }
            case TM -> {
                s = s.replace(":", "");
                if (!TM.matcher(s).matches()) return null;
                int dot = s.indexOf('.');
                String hms = dot < 0 ? s : s.substring(0, dot);
                String frac = dot < 0 ? "" : s.substring(dot + 1);
                return pad(hms, 6, fill) + pad(frac, 6, fill);
            }
            default -> {
                Matcher m = DT.matcher(s);
                if (!m.matches()) return null;
                String frac = m.group(2) == null ? "" : m.group(2).substring(1);
                return pad(m.group(1), 14, fill) + pad(frac, 6, fill);
            }
        }
    }

    private static String pad(String s, int width, char fill) {
        if (s.length() >= width) return s.substring(0, width);
        StringBuilder sb = new StringBuilder(width).append(s);
        while (sb.length() < width) sb.append(fill);
        return sb.toString();
    }
}
