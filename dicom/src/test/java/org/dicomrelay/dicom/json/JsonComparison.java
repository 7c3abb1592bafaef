package org.dicomrelay.dicom.json;

import com.fasterxml.jackson.databind.JsonNode;
import org.dicomrelay.dicom.data.SpecificCharacterSet;
import org.dicomrelay.dicom.data.VR;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Compares our DICOM JSON with dcm2json's attribute by attribute. Every difference is either
 * explained by a {@link Dcm2jsonDifference} (recorded) or reported as unexplained.
 */
final class JsonComparison {
    private final boolean charsetsLatin1;
    private final boolean pixelDataCut;
    final Set<Dcm2jsonDifference> explained = EnumSet.noneOf(Dcm2jsonDifference.class);
    final List<String> unexplained = new ArrayList<>();

    JsonComparison(boolean charsetsLatin1, boolean pixelDataCut) {
        this.charsetsLatin1 = charsetsLatin1;
        this.pixelDataCut = pixelDataCut;
    }

    void compare(JsonNode ours, JsonNode theirs) {
        object(ours, theirs, "", SpecificCharacterSet.ASCII, false);
    }

    private void object(JsonNode ours, JsonNode theirs, String path, SpecificCharacterSet inherited, boolean inItemWithOwnCharset) {
        SpecificCharacterSet cs = inherited;
        JsonNode scs = ours.get("00080005");
        boolean ownCharset = inItemWithOwnCharset || (scs != null && !path.isEmpty());
        if (scs != null) cs = SpecificCharacterSet.valueOf(strings(scs.get("Value")));
        Set<String> keys = new TreeSet<>();
        ours.fieldNames().forEachRemaining(keys::add);
        theirs.fieldNames().forEachRemaining(keys::add);
        for (String key : keys) {
            JsonNode x = ours.get(key), y = theirs.get(key);
            String p = path + key;
            if (y == null && key.equals("7FE00010") && pixelDataCut) {
                explained.add(Dcm2jsonDifference.ENCAPSULATED_PIXEL_DATA);
            } else if (x == null || y == null) {
                unexplained.add(p + ": only in " + (x == null ? "dcm2json's: " + y : "ours: " + x));
            } else {
                attribute(key, x, y, p, cs, ownCharset);
            }
        }
    }

    private static String[] strings(JsonNode values) {
        if (values == null) return new String[0];
        List<String> s = new ArrayList<>();
        values.forEach(v -> s.add(v.isNull() ? "" : v.asText()));
        return s.toArray(String[]::new);
    }

    private void attribute(String key, JsonNode x, JsonNode y, String path, SpecificCharacterSet cs, boolean ownCharset) {
        if (x.equals(y)) return;
        String vrX = x.path("vr").asText(), vrY = y.path("vr").asText();
        if (key.equals("00080005")) {
            if (charsetsLatin1) {
                explained.add(Dcm2jsonDifference.ISO_2022_IR_87_NOT_CONVERTED);
            } else if (y.path("Value").size() == 1 && y.path("Value").get(0).asText().equals("ISO_IR 192")) {
                explained.add(Dcm2jsonDifference.CHARSET_DECLARED_AS_UTF8);
            } else {
                unexplained.add(path + ": " + x + " vs dcm2json's " + y);
            }
            return;
        }
        boolean usOrSs = !vrX.equals(vrY) && Set.of(vrX, vrY).equals(Set.of("US", "SS"));
        if (!vrX.equals(vrY) && !usOrSs) {
            unexplained.add(path + ": vr " + vrX + " vs dcm2json's " + vrY);
            return;
        }
        if (vrX.equals("SQ")) {
            items(x.path("Value"), y.path("Value"), path, cs, ownCharset);
            return;
        }
        if (x.has("InlineBinary") && y.has("InlineBinary")) {
            binary(x.get("InlineBinary").asText(), y.get("InlineBinary").asText(), path);
            return;
        }
        JsonNode vx = x.get("Value"), vy = y.get("Value");
        if (vx == null || vy == null || vx.size() != vy.size()) {
            unexplained.add(path + ": " + x + " vs dcm2json's " + y);
            return;
        }
        VR vr = VR.valueOf(vrX);
        for (int i = 0; i < vx.size(); i++) {
            if (vx.get(i).equals(vy.get(i))) {
                if (usOrSs) explained.add(Dcm2jsonDifference.US_OR_SS);
                continue;
            }
            Dcm2jsonDifference d = value(vr, vx.get(i), vy.get(i), cs, ownCharset, usOrSs);
            if (d == null) {
                unexplained.add(path + "[" + i + "]: " + vrX + " " + vx.get(i) + " vs dcm2json's " + vrY + " " + vy.get(i));
            } else {
                explained.add(d);
            }
        }
    }

    private void items(JsonNode x, JsonNode y, String path, SpecificCharacterSet cs, boolean ownCharset) {
        if (x.size() != y.size()) {
            unexplained.add(path + ": " + x.size() + " items vs dcm2json's " + y.size());
            return;
        }
        Iterator<JsonNode> ix = x.elements(), iy = y.elements();
        for (int i = 0; ix.hasNext(); i++) object(ix.next(), iy.next(), path + "/" + i + "/", cs, ownCharset);
    }

    private void binary(String x, String y, String path) {
        byte[] a = Base64.getDecoder().decode(x), b = Base64.getDecoder().decode(y);
        if ((a.length & 1) == 1 && b.length == a.length + 1 && b[a.length] == 0
                && java.util.Arrays.equals(a, 0, a.length, b, 0, a.length)) {
            explained.add(Dcm2jsonDifference.ODD_LENGTH_PADDED);
        } else if (!java.util.Arrays.equals(a, b)) {
            unexplained.add(path + ": InlineBinary of " + a.length + " bytes differs from dcm2json's of " + b.length);
        }
    }

    /** The rule that explains why two values differ but mean the same; null if none does. */
    private Dcm2jsonDifference value(VR vr, JsonNode u, JsonNode v, SpecificCharacterSet cs, boolean ownCharset, boolean usOrSs) {
        if (usOrSs && u.isIntegralNumber() && v.isIntegralNumber() && (short) u.asInt() == (short) v.asInt()) {
            return Dcm2jsonDifference.US_OR_SS;
        }
        switch (vr) {
            case IS, DS -> {
                BigDecimal a = decimal(u), b = decimal(v);
                return a != null && b != null && a.compareTo(b) == 0 ? Dcm2jsonDifference.DECIMAL_FORM : null;
            }
            case FL -> {
                return u.isNumber() && v.isNumber() && Float.parseFloat(u.asText()) == Float.parseFloat(v.asText())
                        ? Dcm2jsonDifference.FLOAT_DIGITS : null;
            }
            case FD -> {
                return u.isNumber() && v.isNumber() && Double.parseDouble(u.asText()) == Double.parseDouble(v.asText())
                        ? Dcm2jsonDifference.FLOAT_DIGITS : null;
            }
            case SH, LO, ST, LT, UC, UT -> {
                return rawTextRule(ownCharset) != null && v.isTextual() && decoded(cs, v.asText(), vr).equals(u.asText())
                        ? rawTextRule(ownCharset) : null;
            }
            case PN -> {
                return rawTextRule(ownCharset) != null && personName(u, v, cs) ? rawTextRule(ownCharset) : null;
            }
            default -> {
                return null;
            }
        }
    }

    /** Where dcm2json left text as the file's bytes, which rule says so. */
    private Dcm2jsonDifference rawTextRule(boolean ownCharset) {
        if (charsetsLatin1) return Dcm2jsonDifference.ISO_2022_IR_87_NOT_CONVERTED;
        if (ownCharset) return Dcm2jsonDifference.ITEM_CHARSET_IGNORED;
        return null;
    }

    /** dcm2json's text taken back to the file's bytes, then decoded with the character set in scope. */
    private String decoded(SpecificCharacterSet cs, String theirs, VR vr) {
        byte[] b = charsetsLatin1 ? theirs.getBytes(StandardCharsets.ISO_8859_1) : RawText.bytes(theirs);
        return cs.decode(b, vr);
    }

    private boolean personName(JsonNode u, JsonNode v, SpecificCharacterSet cs) {
        if (!u.isObject() || !v.isObject()) return false;
        for (String group : PersonNameGroups.NAMES) {
            String a = u.path(group).asText(""), b = v.path(group).asText("");
            if (!a.equals(decoded(cs, b, VR.PN))) return false;
        }
        return true;
    }

    private static BigDecimal decimal(JsonNode n) {
        try {
            return n.isNumber() ? n.decimalValue() : n.isTextual() ? new BigDecimal(n.asText().strip()) : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
