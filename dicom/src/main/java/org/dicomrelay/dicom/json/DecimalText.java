package org.dicomrelay.dicom.json;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.regex.Pattern;

/**
 * Between DICOM IS/DS text (PS3.5 Table 6.2-1) and JSON numbers (RFC 8259 §6). The grammars
 * overlap but differ: DS allows "+1", ".5", "5." and leading zeros, which JSON does not; JSON
 * numbers may be longer than the 16 bytes a DS holds.
 */
final class DecimalText {
    private DecimalText() {}

    private static final Pattern JSON_NUMBER = Pattern.compile("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?");
    private static final Pattern DS = Pattern.compile("([+-]?)([0-9]*)(?:\\.([0-9]*))?([eE][+-]?[0-9]+)?");
    private static final Pattern IS = Pattern.compile("([+-]?)([0-9]+)");
    private static final int DS_MAX = 16;

    /**
     * The JSON number for a trimmed IS or DS value, keeping its digits; null when the value is not a
     * valid IS/DS (it is then written as a string, which F.2.3 permits).
     */
    static String toJsonNumber(String value, boolean integer) {
        if (!integer && JSON_NUMBER.matcher(value).matches()) return value;
        var m = (integer ? IS : DS).matcher(value);
        if (!m.matches()) return null;
        String sign = m.group(1).equals("-") ? "-" : "";
        String whole = stripLeadingZeros(m.group(2));
        if (integer) return sign + whole;
        String fraction = m.group(3);
        if (m.group(2).isEmpty() && (fraction == null || fraction.isEmpty())) return null; // "", ".", "+"
        String exponent = m.group(4) == null ? "" : m.group(4);
        String f = fraction == null || fraction.isEmpty() ? "" : "." + fraction;
        return sign + whole + f + exponent;
    }

    private static String stripLeadingZeros(String digits) {
        int i = 0;
        while (i < digits.length() - 1 && digits.charAt(i) == '0') i++;
        return digits.isEmpty() ? "0" : digits.substring(i);
    }

    /** DS text for a JSON number: its own text when it fits in 16 bytes, else rounded to fit. */
    static String toDecimalString(JsonNumber n) {
        String t = n.text();
        if (t.length() <= DS_MAX) return t;
        BigDecimal v = n.toBigDecimal();
        for (int digits = DS_MAX; digits > 0; digits--) {
            String s = v.round(new MathContext(digits)).stripTrailingZeros().toString();
            if (s.length() <= DS_MAX) return s;
        }
        throw new IllegalStateException("cannot fit " + t + " in a DS");
    }

    /** IS text for a JSON number, which must hold an integer (1.0 and 1e2 do). */
    static String toIntegerString(JsonNumber n) {
        if (n.isIntegral()) return n.text();
        try {
            return n.toBigDecimal().toBigIntegerExact().toString();
        } catch (ArithmeticException e) {
            return null;
        }
    }
}
