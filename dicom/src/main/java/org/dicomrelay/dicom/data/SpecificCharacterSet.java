package org.dicomrelay.dicom.data;

import java.nio.charset.StandardCharsets;
import java.util.List;

// Temporary stand-in until the character set work lands.
public final class SpecificCharacterSet {
    public static final SpecificCharacterSet ASCII = new SpecificCharacterSet(List.of(""));
    private final List<String> terms;
    private SpecificCharacterSet(List<String> terms) { this.terms = terms; }
    public static SpecificCharacterSet valueOf(String... terms) {
        return terms == null || terms.length == 0 ? ASCII : new SpecificCharacterSet(List.of(terms));
    }
    public List<String> terms() { return terms; }
    public List<String> unknownTerms() { return List.of(); }
    public String decode(byte[] value, VR vr) {
        return new String(value, terms.contains("ISO_IR 192") ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
    }
    public byte[] encode(String value, VR vr) {
        return value.getBytes(terms.contains("ISO_IR 192") ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
    }
    public boolean isUtf8OrAscii() { return true; }
}
