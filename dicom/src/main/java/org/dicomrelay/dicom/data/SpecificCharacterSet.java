package org.dicomrelay.dicom.data;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The character repertoires named by Specific Character Set (0008,0005) (PS3.3 C.12.1.1.2) and the
 * encoding rules of PS3.5 §6.1.2 for the values of SH, LO, ST, LT, UC, UT and PN.
 *
 * <p>Three families of sets are handled:
 * <ul>
 *   <li>a single value naming a single-byte set without code extensions ({@code ISO_IR 100}, …): ISO-IR 6
 *       (or JIS X 0201 Romaji) in G0 and the named set in G1, no escape sequences;</li>
 *   <li>{@code ISO 2022 …} terms (code extensions, PS3.5 §6.1.2.5): value 1 is the initial G0/G1, escape
 *       sequences redesignate G0 or G1, and the initial set is in force again after every delimiter;</li>
 *   <li>{@code ISO_IR 192} (UTF-8), {@code GB18030} and {@code GBK}: whole-value codecs outside ISO 2022.</li>
 * </ul>
 *
 * <p>Reading never fails: unknown terms fall back to Latin-1 for bytes above 7F and are reported by
 * {@link #unknownTerms()}, bytes that do not form a character become U+FFFD. Writing replaces characters
 * that no declared set can represent with '?'. Instances are immutable and thread-safe.
 */
public final class SpecificCharacterSet {

    /** Defined Terms (PS3.3 Tables C.12-2, C.12-3, C.12-4) to the code elements they declare. */
    private static final Map<String, List<Element>> TERMS = new HashMap<>();
    /** Escape sequence (without ESC) to the element it designates. */
    private static final Map<String, Element> ESCAPES = new HashMap<>();

    static {
        Object[][] singleByte = {
            {"100", Element.LATIN1}, {"101", Element.LATIN2}, {"109", Element.LATIN3}, {"110", Element.LATIN4},
            {"144", Element.CYRILLIC}, {"127", Element.ARABIC}, {"126", Element.GREEK}, {"138", Element.HEBREW},
            {"148", Element.LATIN5}, {"203", Element.LATIN9}, {"166", Element.THAI},
        };
        for (Object[] row : singleByte) {
            List<Element> es = List.of(Element.ASCII, (Element) row[1]);
            TERMS.put("ISO_IR " + row[0], es);
            TERMS.put("ISO 2022 IR " + row[0], es);
        }
        TERMS.put("ISO_IR 13", List.of(Element.JIS_ROMAN, Element.JIS_KATAKANA));
        TERMS.put("ISO 2022 IR 13", List.of(Element.JIS_ROMAN, Element.JIS_KATAKANA));
        TERMS.put("ISO 2022 IR 6", List.of(Element.ASCII));
        TERMS.put("ISO 2022 IR 87", List.of(Element.JIS_X0208));
        TERMS.put("ISO 2022 IR 159", List.of(Element.JIS_X0212));
        TERMS.put("ISO 2022 IR 149", List.of(Element.KS_X1001));
        TERMS.put("ISO 2022 IR 58", List.of(Element.GB2312));

        for (Element e : Element.values()) {
            ESCAPES.put(new String(e.escape, 1, e.escape.length - 1, StandardCharsets.ISO_8859_1), e);
        }
        // Equivalent designations of JIS X 0208 (the 1978 edition and the long form) seen from older writers.
        ESCAPES.put("$@", Element.JIS_X0208);
        ESCAPES.put("$(B", Element.JIS_X0208);
    }

    /** The default repertoire, ISO-IR 6, as when (0008,0005) is absent or its first value is empty. */
    public static final SpecificCharacterSet ASCII = new SpecificCharacterSet(List.of());

    private static final char REPLACEMENT = '\uFFFD';
    private static final int ESC = 0x1B;

    private final List<String> terms;
    private final List<String> unknownTerms;
    /** UTF-8, GB18030 or GBK; null for the ISO 2022 family (with or without extensions). */
    private final Charset wholeValueCharset;
    /** Escape sequences are interpreted and emitted only when code extensions are in use (PS3.5 §6.1.2.5.4). */
    private final boolean codeExtensions;
    private final Element initialG0;
    /** Null when value 1 defines no G1 set (empty value 1 or ISO 2022 IR 6). */
    private final Element initialG1;
    /** Every code element a writer may designate, value 1's first. */
    private final List<Element> elements;

    private SpecificCharacterSet(List<String> terms) {
        this.terms = List.copyOf(terms);
        List<String> unknown = new ArrayList<>();
        String first = terms.isEmpty() ? "" : terms.get(0);
        Charset whole = wholeValueCharset(first);
        if (whole != null) {
            // PS3.5 §6.1.2.4 note 3: these sets forbid code extension, so further values cannot be honoured.
            for (String t : terms.subList(1, terms.size())) if (!t.isEmpty()) unknown.add(t);
            wholeValueCharset = whole;
            codeExtensions = false;
            initialG0 = Element.ASCII;
            initialG1 = null;
            elements = List.of(Element.ASCII);
        } else {
            List<Element> initial = first.isEmpty() ? List.of(Element.ASCII) : TERMS.get(first);
            if (initial == null || !supported(initial)) {
                unknown.add(first);
                // Undeclared high bytes are most often Latin-1 in practice; keep them readable.
                initial = List.of(Element.ASCII, Element.LATIN1);
            }
            Element g0 = Element.ASCII, g1 = null;
            for (Element e : initial) {
                // Multi-byte sets belong in values 2..n (Table C.12-4). Misplaced as value 1, IR 149/58 become the
                // initial G1 as readers commonly assume; IR 87/159 cannot be the initial G0, delimiters must stay visible.
                if (e.g == 0 && e.width == 1) g0 = e;
                if (e.g == 1) g1 = e;
            }
            Set<Element> all = new LinkedHashSet<>();
            all.add(g0);
            if (g1 != null) all.add(g1);
            all.addAll(initial);
            for (String t : terms.subList(Math.min(1, terms.size()), terms.size())) {
                if (t.isEmpty()) continue;
                List<Element> es = TERMS.get(t);
                if (es == null || !supported(es)) unknown.add(t);
                else all.addAll(es);
            }
            wholeValueCharset = null;
            codeExtensions = terms.size() > 1 || first.startsWith("ISO 2022");
            initialG0 = g0;
            initialG1 = g1;
            elements = List.copyOf(all);
        }
        unknownTerms = List.copyOf(unknown);
    }

    /**
     * The set for the values of (0008,0005) as read: already split at '\' with surrounding spaces trimmed.
     * Null, no values or a single empty value give {@link #ASCII}. Never throws for unknown terms.
     */
    public static SpecificCharacterSet valueOf(String... terms) {
        if (terms == null || terms.length == 0) return ASCII;
        List<String> list = new ArrayList<>(terms.length);
        for (String t : terms) list.add(t == null ? "" : t.strip());
        if (list.size() == 1 && list.get(0).isEmpty()) return ASCII;
        return new SpecificCharacterSet(list);
    }

    /** The values this set was made from (empty for {@link #ASCII}). */
    public List<String> terms() { return terms; }

    /**
     * The values that could not be honoured: not Defined Terms, needing a charset this JRE lacks, or a
     * set that forbids code extension given next to another value. Empty when all were understood.
     */
    public List<String> unknownTerms() { return unknownTerms; }

    /** True when the declared repertoire is ISO-IR 6 alone or UTF-8, so UTF-8 decoding is always right. */
    public boolean isUtf8OrAscii() {
        if (wholeValueCharset != null) return wholeValueCharset.equals(StandardCharsets.UTF_8);
        return elements.equals(List.of(Element.ASCII)) && unknownTerms.isEmpty();
    }

    /**
     * Decodes a whole value: every value of a multi-valued element, with its backslashes and padding.
     * Values of VRs outside SH, LO, ST, LT, UC, UT and PN use the default repertoire (read leniently as Latin-1).
     */
    public String decode(byte[] value, VR vr) {
        if (value == null || value.length == 0) return "";
        if (vr.kind() != VR.Kind.TEXT) return new String(value, StandardCharsets.ISO_8859_1);
        if (wholeValueCharset != null) return new String(value, wholeValueCharset);
        return decodeIso2022(value, vr);
    }

    /**
     * Encodes a whole value (all values, backslashes included) as {@link #decode} reads it. With code
     * extensions the escape sequences are emitted where needed and the initial set is restored before every
     * delimiter, control character and the end of the value (PS3.5 §6.1.2.5.3).
     */
    public byte[] encode(String value, VR vr) {
        if (value == null || value.isEmpty()) return new byte[0];
        if (vr.kind() != VR.Kind.TEXT) return value.getBytes(StandardCharsets.ISO_8859_1);
        if (wholeValueCharset != null) return value.getBytes(wholeValueCharset);
        return encodeIso2022(value, vr);
    }

    // ---------------------------------------------------------------------------------------------------------

    /** Bytes 05/12 (and 05/14, 03/13 in PN) that end a value or name component and restore the initial set. */
    private static boolean isDelimiter(VR vr, int c) {
        if (c == '\\') return vr == VR.PN || vr == VR.SH || vr == VR.LO || vr == VR.UC;
        return vr == VR.PN && (c == '^' || c == '=');
    }

    /** In the texts, the format effectors end the stretch in which a designation holds. */
    private static boolean isTextReset(VR vr, int c) {
        return (vr == VR.ST || vr == VR.LT || vr == VR.UT) && (c == '\r' || c == '\n' || c == '\f' || c == '\t');
    }

    private String decodeIso2022(byte[] b, VR vr) {
        StringBuilder out = new StringBuilder(b.length);
        Element g0 = initialG0, g1 = initialG1;
        int n = b.length, i = 0;
        while (i < n) {
            int c = b[i] & 0xFF;
            if (c == ESC && codeExtensions) {
                int j = i + 1;
                while (j < n && b[j] >= 0x20 && b[j] <= 0x2F) j++;
                if (j < n && b[j] >= 0x30 && b[j] <= 0x7E) {
                    Element e = ESCAPES.get(new String(b, i + 1, j + 1 - (i + 1), StandardCharsets.ISO_8859_1));
                    if (e == null || !e.supported()) out.append(REPLACEMENT);
                    else if (e.g == 0) g0 = e;
                    else g1 = e;
                    i = j + 1;
                } else {
                    out.append(REPLACEMENT); // truncated or not an escape sequence: drop ESC and intermediates
                    i = j;
                }
            } else if (c < 0x20 || c == 0x7F) {
                // C0 controls mean the same whatever G0 holds, so they are recognised even inside a 2-byte run.
                out.append((char) c);
                i++;
                if (isTextReset(vr, c)) { g0 = initialG0; g1 = initialG1; }
            } else if (c < 0x80) {
                if (g0.width == 1) {
                    out.append((char) c); // ISO-IR 6, and ISO-IR 14 read as ASCII: 05/12 is DICOM's delimiter
                    i++;
                    if (isDelimiter(vr, c)) { g0 = initialG0; g1 = initialG1; }
                } else if (c == 0x20) {
                    out.append(' ');
                    i++;
                } else if (i + 1 < n && (b[i + 1] & 0xFF) > 0x20 && (b[i + 1] & 0xFF) < 0x7F) {
                    // A 2-byte G0 character: its bytes may look like '\', '^' or '=' and are not delimiters.
                    out.append(g0.decodePair(c, b[i + 1] & 0xFF));
                    i += 2;
                } else {
                    out.append(REPLACEMENT);
                    i++;
                }
            } else if (g1 == null) {
                out.append((char) c); // no G1 declared: lenient Latin-1
                i++;
            } else if (g1.width == 1) {
                out.append(g1.decodeSingle(c));
                i++;
            } else if (c > 0xA0 && c < 0xFF && i + 1 < n && (b[i + 1] & 0xFF) > 0xA0 && (b[i + 1] & 0xFF) < 0xFF) {
                out.append(g1.decodePair(c & 0x7F, b[i + 1] & 0x7F));
                i += 2;
            } else {
                out.append(REPLACEMENT);
                i++;
            }
        }
        return out.toString();
    }

    private byte[] encodeIso2022(String s, VR vr) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length() + 16);
        Element g0 = initialG0, g1 = initialG1;
        for (int k = 0; k < s.length(); ) {
            int cp = s.codePointAt(k);
            k += Character.charCount(cp);
            if (cp < 0x80) {
                boolean delimiter = isDelimiter(vr, cp);
                if (delimiter || cp < 0x20 || cp == 0x7F) {
                    // PS3.5 §6.1.2.5.3: value 1's sets are active before delimiters and control characters.
                    if (g0 != initialG0) g0 = designate(out, initialG0);
                    if (initialG1 != null && g1 != initialG1) g1 = designate(out, initialG1);
                } else if (g0.width != 1) {
                    g0 = designate(out, initialG0);
                }
                out.write(cp == ESC && codeExtensions ? '?' : cp); // a raw ESC would be read as a designation
                if (delimiter || isTextReset(vr, cp)) { g0 = initialG0; g1 = initialG1; } // as the reader does
                continue;
            }
            int code;
            if (g1 != null && (code = g1.encode(cp)) >= 0) {
                write(out, g1, code);
            } else if (g0.width == 2 && (code = g0.encode(cp)) >= 0) {
                write(out, g0, code);
            } else {
                Element found = null;
                code = -1;
                for (Element e : elements) {
                    if ((code = e.encode(cp)) >= 0) { found = e; break; }
                }
                if (found != null) {
                    if (found.g == 0) g0 = designate(out, found);
                    else g1 = designate(out, found);
                    write(out, found, code);
                } else {
                    if (g0.width != 1) g0 = designate(out, initialG0);
                    out.write('?');
                }
            }
        }
        if (g0 != initialG0) designate(out, initialG0);
        if (initialG1 != null && g1 != initialG1) designate(out, initialG1);
        return out.toByteArray();
    }

    private Element designate(ByteArrayOutputStream out, Element e) {
        if (codeExtensions) out.writeBytes(e.escape);
        return e;
    }

    private static void write(ByteArrayOutputStream out, Element e, int code) {
        int high = e.g == 1 ? 0x80 : 0;
        if (e.width == 2) out.write((code >> 8) | high);
        out.write((code & 0xFF) | high);
    }

    // ---------------------------------------------------------------------------------------------------------

    private static Charset wholeValueCharset(String term) {
        String name = switch (term) {
            case "ISO_IR 192" -> "UTF-8";
            case "GB18030" -> "GB18030";
            case "GBK" -> "GBK";
            default -> null;
        };
        return name != null && Charset.isSupported(name) ? Charset.forName(name) : null;
    }

    private static boolean supported(List<Element> es) {
        for (Element e : es) if (!e.supported()) return false;
        return true;
    }

    /**
     * The ISO 2022 code elements of PS3.3 Tables C.12-2 to C.12-4, each with its escape sequence and the JDK
     * charset its graphic characters are taken from.
     */
    private enum Element {
        ASCII(0, 1, "(B", null),
        /** ISO-IR 14. Read as ASCII: 05/12 (YEN SIGN in JIS) must stay DICOM's backslash delimiter. */
        JIS_ROMAN(0, 1, "(J", null),
        JIS_KATAKANA(1, 1, ")I", "JIS_X0201"),
        LATIN1(1, 1, "-A", "ISO-8859-1"),
        LATIN2(1, 1, "-B", "ISO-8859-2"),
        LATIN3(1, 1, "-C", "ISO-8859-3"),
        LATIN4(1, 1, "-D", "ISO-8859-4"),
        CYRILLIC(1, 1, "-L", "ISO-8859-5"),
        ARABIC(1, 1, "-G", "ISO-8859-6"),
        GREEK(1, 1, "-F", "ISO-8859-7"),
        HEBREW(1, 1, "-H", "ISO-8859-8"),
        LATIN5(1, 1, "-M", "ISO-8859-9"),
        LATIN9(1, 1, "-b", "ISO-8859-15"),
        THAI(1, 1, "-T", "TIS-620"),
        JIS_X0208(0, 2, "$B", "ISO-2022-JP"),
        JIS_X0212(0, 2, "$(D", "ISO-2022-JP-2"),
        KS_X1001(1, 2, "$)C", "EUC-KR"),
        GB2312(1, 2, "$)A", "GB2312");

        final int g;
        final int width;
        final byte[] escape;
        private final String charsetName;
        /** Characters by 7-bit code: byte&0x7F for single-byte G1, (row-0x21)*94+(col-0x21) for 2-byte sets. */
        private volatile char[] forward;
        /** For each BMP character, its table index + 1; 0 when the set lacks it. Built on first encode. */
        private volatile char[] reverse;

        Element(int g, int width, String escape, String charsetName) {
            this.g = g;
            this.width = width;
            this.escape = ("\u001b" + escape).getBytes(StandardCharsets.ISO_8859_1);
            this.charsetName = charsetName;
        }

        boolean supported() { return charsetName == null || Charset.isSupported(charsetName); }

        char decodeSingle(int b) { return forward()[b & 0x7F]; }

        char decodePair(int row, int col) { return forward()[(row - 0x21) * 94 + (col - 0x21)]; }

        /** The code to write for a code point (byte or row<<8|col, 7-bit), or -1 if the set lacks it. */
        int encode(int cp) {
            if (g == 0 && width == 1) return cp < 0x80 ? cp : -1;
            if (cp > 0xFFFF || !supported()) return -1;
            int index = reverse()[cp] - 1;
            if (index < 0) return -1;
            return width == 1 ? index : ((index / 94 + 0x21) << 8) | (index % 94 + 0x21);
        }

        private char[] forward() {
            char[] f = forward;
            if (f == null) forward = f = buildForward();
            return f;
        }

        private char[] reverse() {
            char[] r = reverse;
            if (r == null) {
                char[] f = forward();
                r = new char[0x10000];
                // C1 positions of the single-byte sets are control codes, not part of the repertoire.
                for (int i = f.length - 1; i >= (width == 1 ? 0x20 : 0); i--) {
                    if (f[i] != REPLACEMENT) r[f[i]] = (char) (i + 1); // descending: the lowest code wins
                }
                reverse = r;
            }
            return r;
        }

        private char[] buildForward() {
            CharsetDecoder dec = Charset.forName(charsetName).newDecoder()
                    .onMalformedInput(CodingErrorAction.REPLACE)
                    .onUnmappableCharacter(CodingErrorAction.REPLACE);
            if (width == 1) {
                char[] f = new char[128];
                for (int i = 0; i < 128; i++) f[i] = decodeOne(dec, new byte[] {(byte) (0x80 | i)});
                return f;
            }
            // G0 sets go through the JDK's ISO-2022-JP(-2) behind their own escape, G1 sets through EUC.
            int prefix = g == 0 ? escape.length : 0;
            byte[] in = new byte[prefix + 2 + (g == 0 ? 3 : 0)];
            System.arraycopy(escape, 0, in, 0, prefix);
            if (g == 0) System.arraycopy(ASCII.escape, 0, in, prefix + 2, 3);
            char[] f = new char[94 * 94];
            for (int row = 0; row < 94; row++) {
                for (int col = 0; col < 94; col++) {
                    in[prefix] = (byte) ((row + 0x21) | (g == 1 ? 0x80 : 0));
                    in[prefix + 1] = (byte) ((col + 0x21) | (g == 1 ? 0x80 : 0));
                    f[row * 94 + col] = decodeOne(dec, in);
                }
            }
            return f;
        }

        private static char decodeOne(CharsetDecoder dec, byte[] in) {
            try {
                CharBuffer cb = dec.reset().decode(ByteBuffer.wrap(in));
                return cb.length() == 1 ? cb.get(0) : REPLACEMENT;
            } catch (CharacterCodingException e) {
                return REPLACEMENT; // not reached with REPLACE actions
            }
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SpecificCharacterSet && ((SpecificCharacterSet) o).terms.equals(terms);
    }

    @Override
    public int hashCode() { return terms.hashCode(); }

    @Override
    public String toString() { return "SpecificCharacterSet" + terms; }
}
