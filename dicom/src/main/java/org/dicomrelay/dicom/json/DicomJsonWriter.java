package org.dicomrelay.dicom.json;

import org.dicomrelay.dicom.data.Attributes;
import org.dicomrelay.dicom.data.BulkData;
import org.dicomrelay.dicom.data.DicomElement;
import org.dicomrelay.dicom.data.Fragments;
import org.dicomrelay.dicom.data.Sequence;
import org.dicomrelay.dicom.data.Tag;
import org.dicomrelay.dicom.data.VR;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Writer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Writes a data set as a DICOM JSON Model object (PS3.18 Annex F), streaming to a {@link Writer}.
 *
 * <ul>
 * <li>Attributes in ascending tag order (F.2.2: ordered by the "GGGGEEEE" name, which for uppercase
 *     hex is tag order), group lengths left out (F.2.2). A tag repeated in a malformed data set is
 *     written once, its first occurrence, since a JSON object cannot hold a name twice.</li>
 * <li>Empty values: no "Value" (F.2.5); empty values among several: {@code null}.</li>
 * <li>PN as objects of the non-empty component groups (F.2.2); a group of delimiters only, such as
 *     "^^^^", has no name component and counts as empty. AT as "GGGGEEEE" strings.</li>
 * <li>IS, DS as numbers when they are valid IS/DS text, else as strings (F.2.3 allows either;
 *     invalid text stays visible rather than being dropped); SV, UV as numbers; all four as strings
 *     with {@link #numbersAsStrings(boolean)}.</li>
 * <li>OB, OD, OF, OL, OV, OW, UN as InlineBinary of the little-endian value (F.2.7), or BulkDataURI
 *     above a threshold (F.2.6). Encapsulated pixel data as InlineBinary of its whole Value Field,
 *     items and sequence delimiter included (F.2.7 with PS3.5 §A.4).</li>
 * <li>A sequence read as UN of undefined length (CP-246) is written with vr "SQ": its items were
 *     parsed, and F.2.2 gives UN no item form.</li>
 * <li>NaN and infinities in FL/FD: JSON numbers cannot hold them (RFC 8259 §6) and Annex F defines
 *     no other form, so by default writing fails; {@link NonFinite#AS_STRINGS} writes "NaN",
 *     "Infinity", "-Infinity" strings instead, an extension several toolkits read.</li>
 * </ul>
 */
public final class DicomJsonWriter {

    /** What to do with FL/FD values that are NaN or infinite. */
    public enum NonFinite { REJECT, AS_STRINGS }

    private boolean pretty = true;
    private boolean numbersAsStrings;
    private long bulkDataThreshold = Long.MAX_VALUE;
    private BulkDataUriProvider bulkData;
    private NonFinite nonFinite = NonFinite.REJECT;

    /** Indented output (the default) or compact. */
    public DicomJsonWriter pretty(boolean pretty) {
        this.pretty = pretty;
        return this;
    }

    /** Writes IS, DS, SV and UV values as JSON strings, preserving their text exactly (F.2.3 note). */
    public DicomJsonWriter numbersAsStrings(boolean asStrings) {
        this.numbersAsStrings = asStrings;
        return this;
    }

    /** Binary values longer than {@code threshold} bytes are written as BulkDataURI from {@code provider}. */
    public DicomJsonWriter bulkData(long threshold, BulkDataUriProvider provider) {
        this.bulkDataThreshold = threshold;
        this.bulkData = provider;
        return this;
    }

    public DicomJsonWriter nonFinite(NonFinite policy) {
        this.nonFinite = policy;
        return this;
    }

    /** Writes the data set as one JSON object; flushes but does not close {@code out}. */
    public void write(Attributes dataSet, Writer out) throws IOException {
        JsonGenerator g = new JsonGenerator(out, pretty);
        writeObject(g, dataSet, "");
        g.flush();
    }

    private void writeObject(JsonGenerator g, Attributes ds, String path) throws IOException {
        g.beginObject();
        for (DicomElement e : inJsonOrder(ds)) writeAttribute(g, ds, e, path);
        g.endObject();
    }

    /** Tag order without group lengths, each tag once. */
    static List<DicomElement> inJsonOrder(Attributes ds) {
        List<DicomElement> sorted = new ArrayList<>(ds.elements());
        sorted.sort(Comparator.comparingLong(e -> Integer.toUnsignedLong(e.tag()))); // stable: first occurrence first
        List<DicomElement> out = new ArrayList<>(sorted.size());
        for (DicomElement e : sorted) {
            if (Tag.isGroupLength(e.tag())) continue;
            if (!out.isEmpty() && out.get(out.size() - 1).tag() == e.tag()) continue;
            out.add(e);
        }
        return out;
    }

    private void writeAttribute(JsonGenerator g, Attributes ds, DicomElement e, String path) throws IOException {
        String key = Tag.toHex(e.tag());
        g.name(key);
        g.beginObject();
        Object value = e.value();
        g.name("vr");
        g.string(value instanceof Sequence ? "SQ" : e.vr().name());
        if (value instanceof Sequence s) {
            writeItems(g, s, path + key + "/");
        } else if (value instanceof Fragments f) {
            writeBinary(g, e, path + key, EncapsulatedValueField.length(f), false);
        } else if (!e.isEmpty()) {
            writeValue(g, ds, e, path + key);
        }
        g.endObject();
    }

    private void writeItems(JsonGenerator g, Sequence s, String path) throws IOException {
        if (s.items().isEmpty()) return;
        g.name("Value");
        g.beginArray();
        for (int i = 0; i < s.items().size(); i++) writeObject(g, s.items().get(i), path + i + "/");
        g.endArray();
    }

    private void writeValue(JsonGenerator g, Attributes ds, DicomElement e, String path) throws IOException {
        VR vr = e.vr();
        switch (vr) {
            case OB, OD, OF, OL, OV, OW, UN -> writeBinary(g, e, path, e.valueLength(), ds.bigEndian());
            case AT -> writeValues(g, hexTags(ds.getInts(e.tag())), false);
            case PN -> writePersonNames(g, ds.getStrings(e.tag()));
            case IS, DS -> writeDecimals(g, ds.getStrings(e.tag()), vr == VR.IS);
            default -> {
                if (BinaryNumbers.isBinaryNumber(vr)) {
                    writeBinaryNumbers(g, e, ds.bigEndian(), ds.getBytes(e.tag()));
                } else {
                    writeValues(g, ds.getStrings(e.tag()), false);
                }
            }
        }
    }

    private static String[] hexTags(int[] tags) {
        String[] s = new String[tags.length];
        for (int i = 0; i < tags.length; i++) s[i] = Tag.toHex(tags[i]);
        return s;
    }

    /** Strings, or numbers when {@code numbers}; empty entries as null; nothing if the only value is empty. */
    private static void writeValues(JsonGenerator g, String[] values, boolean numbers) throws IOException {
        if (allEmpty(values)) return;
        g.name("Value");
        g.beginArray();
        for (String v : values) {
            if (v.isEmpty()) g.nullValue();
            else if (numbers) g.number(v);
            else g.string(v);
        }
        g.endArray();
    }

    /** No values, or a single empty one (a value of padding only): F.2.5 treats it as empty. */
    private static boolean allEmpty(String[] values) {
        return values.length == 0 || values.length == 1 && values[0].isEmpty();
    }

    private void writeDecimals(JsonGenerator g, String[] values, boolean integer) throws IOException {
        if (numbersAsStrings) {
            writeValues(g, values, false);
            return;
        }
        if (allEmpty(values)) return;
        g.name("Value");
        g.beginArray();
        for (String v : values) {
            String n = v.isEmpty() ? null : DecimalText.toJsonNumber(v, integer);
            if (v.isEmpty()) g.nullValue();
            else if (n != null) g.number(n);
            else g.string(v);
        }
        g.endArray();
    }

    private static void writePersonNames(JsonGenerator g, String[] values) throws IOException {
        if (values.length == 0 || values.length == 1 && !PersonNameGroups.hasName(values[0])) return;
        g.name("Value");
        g.beginArray();
        for (String v : values) {
            String[] groups = PersonNameGroups.split(v);
            boolean any = false;
            for (String group : groups) any |= !PersonNameGroups.isEmpty(group);
            if (!any) {
                g.nullValue();
                continue;
            }
            g.beginObject();
            for (int i = 0; i < groups.length; i++) {
                if (PersonNameGroups.isEmpty(groups[i])) continue;
                g.name(PersonNameGroups.NAMES.get(i));
                g.string(groups[i]);
            }
            g.endObject();
        }
        g.endArray();
    }

    private void writeBinaryNumbers(JsonGenerator g, DicomElement e, boolean bigEndian, byte[] b) throws IOException {
        VR vr = e.vr();
        String[] values = BinaryNumbers.decode(b, vr, bigEndian);
        if (values.length == 0) return;
        boolean asStrings = numbersAsStrings && (vr == VR.SV || vr == VR.UV);
        g.name("Value");
        g.beginArray();
        for (String v : values) {
            if (BinaryNumbers.isFinite(v)) {
                if (asStrings) g.string(v);
                else g.number(v);
            } else if (nonFinite == NonFinite.AS_STRINGS) {
                g.string(v);
            } else {
                throw new DicomJsonException(vr + " element " + Tag.toString(e.tag()) + " holds " + v
                        + ", which a JSON number cannot represent (RFC 8259 §6) and DICOM JSON defines no form for;"
                        + " write with NonFinite.AS_STRINGS to emit it as a string");
            }
        }
        g.endArray();
    }

    private void writeBinary(JsonGenerator g, DicomElement e, String path, long length, boolean holderBigEndian) throws IOException {
        if (length > bulkDataThreshold && bulkData != null) {
            String uri = bulkData.uriFor(path, e);
            if (uri != null) {
                g.name("BulkDataURI");
                g.string(uri);
                return;
            }
        }
        g.name("InlineBinary");
        g.beginRawString();
        try (OutputStream b64 = InlineBinary.encoder(g.raw())) {
            if (e.value() instanceof Fragments f) {
                EncapsulatedValueField.write(f, b64);
            } else {
                boolean bigEndian = e.value() instanceof BulkData d ? d.bigEndian() : holderBigEndian;
                try (InputStream in = InlineBinary.open(e.value())) {
                    InlineBinary.copy(in, bigEndian ? e.vr().swapUnit() : 1, b64);
                }
            }
        }
        g.endRawString();
    }
}
