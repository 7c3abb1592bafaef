package org.dicomrelay.dicom.json;

import org.dicomrelay.dicom.data.Attributes;
import org.dicomrelay.dicom.data.BulkData;
import org.dicomrelay.dicom.data.DicomElement;
import org.dicomrelay.dicom.data.Fragments;
import org.dicomrelay.dicom.data.Sequence;
import org.dicomrelay.dicom.data.SpecificCharacterSet;
import org.dicomrelay.dicom.data.Tag;
import org.dicomrelay.dicom.data.VR;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads a DICOM JSON Model object (PS3.18 Annex F) into little-endian {@link Attributes}.
 *
 * <p>Text is encoded with the Specific Character Set (0008,0005) in scope: the object's own when
 * it has one (it is applied before the object's other members, whatever their order), else the
 * enclosing item's, else the default repertoire. IS and DS accept numbers or strings (F.2.3);
 * FL and FD also accept the strings "NaN", "Infinity" and "-Infinity" that {@link DicomJsonWriter}
 * can emit. InlineBinary of Pixel Data that is laid out as an encapsulated Value Field (items and
 * a sequence delimiter) becomes {@link Fragments}. BulkDataURI values go to a
 * {@link BulkDataUriResolver}; without one the read fails with {@link UnresolvedBulkDataException}.
 */
public final class DicomJsonReader {

    /** JSON nesting allowed by default: three levels per sequence, so about 85 nested sequences. */
    public static final int DEFAULT_MAX_DEPTH = 256;

    private static final Pattern KEY = Pattern.compile("[0-9A-Fa-f]{8}");

    private int maxDepth = DEFAULT_MAX_DEPTH;
    private BulkDataUriResolver resolver = BulkDataUriResolver.REFUSE;

    /** Deeper JSON nesting is refused with a {@link DicomJsonException} before it can exhaust the stack. */
    public DicomJsonReader maxDepth(int levels) {
        this.maxDepth = levels;
        return this;
    }

    public DicomJsonReader bulkDataUriResolver(BulkDataUriResolver resolver) {
        this.resolver = resolver;
        return this;
    }

    /** Reads one DICOM JSON object. */
    public Attributes read(Reader in) throws IOException {
        Object doc = new JsonParser(in, maxDepth).parseDocument();
        if (!(doc instanceof Map<?, ?> m)) throw new DicomJsonException("a DICOM JSON data set must be a JSON object, found " + kind(doc));
        return dataSet(m, SpecificCharacterSet.ASCII, "");
    }

    public Attributes read(String json) throws IOException {
        return read(new StringReader(json));
    }

    /** Reads an object or an array of objects (as QIDO-RS and WADO-RS metadata responses are). */
    public List<Attributes> readAll(Reader in) throws IOException {
        Object doc = new JsonParser(in, maxDepth).parseDocument();
        List<Attributes> out = new ArrayList<>();
        if (doc instanceof Map<?, ?> m) {
            out.add(dataSet(m, SpecificCharacterSet.ASCII, ""));
            return out;
        }
        if (!(doc instanceof List<?> list)) throw new DicomJsonException("expected a JSON object or array, found " + kind(doc));
        for (int i = 0; i < list.size(); i++) {
            if (!(list.get(i) instanceof Map<?, ?> m)) throw new DicomJsonException("[" + i + "]: expected a JSON object, found " + kind(list.get(i)));
            out.add(dataSet(m, SpecificCharacterSet.ASCII, "[" + i + "]/"));
        }
        return out;
    }

    private Attributes dataSet(Map<?, ?> members, SpecificCharacterSet inherited, String path) throws IOException {
        Attributes ds = new Attributes(false);
        SpecificCharacterSet cs = inherited;
        String csKey = Tag.toHex(Tag.SpecificCharacterSet);
        if (members.containsKey(csKey)) {
            DicomElement e = element(csKey, members.get(csKey), cs, path);
            ds.set(e);
            cs = SpecificCharacterSet.valueOf(ds.getStrings(Tag.SpecificCharacterSet));
        }
        for (Map.Entry<?, ?> m : members.entrySet()) {
            String key = (String) m.getKey();
            if (key.equals(csKey)) continue;
            ds.set(element(key, m.getValue(), cs, path));
        }
        return ds;
    }

    private DicomElement element(String key, Object json, SpecificCharacterSet cs, String parentPath) throws IOException {
        String path = parentPath + key;
        if (!KEY.matcher(key).matches()) throw error(path, "attribute names must be 8 hexadecimal digits (F.2.2)");
        int tag = Integer.parseUnsignedInt(key, 16);
        if (!(json instanceof Map<?, ?> attr)) throw error(path, "expected an attribute object, found " + kind(json));
        VR vr = vr(attr.get("vr"), path);
        Object value = null;
        String valueKind = null;
        for (Map.Entry<?, ?> m : attr.entrySet()) {
            String name = (String) m.getKey();
            switch (name) {
                case "vr" -> { }
                case "Value", "InlineBinary", "BulkDataURI" -> {
                    if (valueKind != null) throw error(path, "has both " + valueKind + " and " + name + "; at most one is allowed (F.2.2)");
                    valueKind = name;
                    value = m.getValue();
                }
                default -> throw error(path, "unknown member \"" + name + "\" (F.2.2 allows vr, Value, InlineBinary, BulkDataURI)");
            }
        }
        if (valueKind == null) return new DicomElement(tag, vr, vr == VR.SQ ? new Sequence(List.of(), true) : new byte[0]);
        return switch (valueKind) {
            case "InlineBinary" -> new DicomElement(tag, vr, inlineBinary(tag, vr, value, path));
            case "BulkDataURI" -> new DicomElement(tag, vr, bulkData(tag, vr, value, path));
            default -> new DicomElement(tag, vr, value(vr, value, cs, path));
        };
    }

    private static VR vr(Object json, String path) throws DicomJsonException {
        if (json == null) throw error(path, "has no \"vr\" (F.2.3 requires it)");
        if (json instanceof String s && s.length() == 2) {
            try {
                return VR.valueOf(s);
            } catch (IllegalArgumentException e) {
                // fall through to the error below
            }
        }
        throw error(path, "\"vr\" must name a DICOM VR, found " + describe(json));
    }

    private Object value(VR vr, Object json, SpecificCharacterSet cs, String path) throws IOException {
        if (!(json instanceof List<?> values)) throw error(path, "\"Value\" must be an array, found " + kind(json));
        switch (vr) {
            case SQ -> { return sequence(values, cs, path); }
            case OB, OD, OF, OL, OV, OW, UN -> throw error(path, vr + " values are written as InlineBinary or BulkDataURI, not Value (F.2.2)");
            case AT -> { return tags(values, path); }
            case PN -> { return text(vr, personNames(values, path), cs, path); }
            case US, SS, UL, SL, SV, UV, FL, FD -> { return BinaryNumbers.encode(vr, values, path); }
            default -> { return text(vr, strings(vr, values, path), cs, path); }
        }
    }

    private Sequence sequence(List<?> values, SpecificCharacterSet cs, String path) throws IOException {
        List<Attributes> items = new ArrayList<>(values.size());
        for (int i = 0; i < values.size(); i++) {
            if (!(values.get(i) instanceof Map<?, ?> m)) throw error(path + "/" + i, "a sequence item must be a JSON object, found " + kind(values.get(i)));
            items.add(dataSet(m, cs, path + "/" + i + "/"));
        }
        return new Sequence(items, true);
    }

    private static byte[] tags(List<?> values, String path) throws DicomJsonException {
        ByteBuffer buf = ByteBuffer.allocate(values.size() * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (Object v : values) {
            if (!(v instanceof String s) || !KEY.matcher(s).matches()) throw error(path, "AT values must be \"GGGGEEEE\" strings, found " + describe(v));
            int t = Integer.parseUnsignedInt(s, 16);
            buf.putShort((short) (t >>> 16)).putShort((short) t);
        }
        return buf.array();
    }

    private static List<String> personNames(List<?> values, String path) throws DicomJsonException {
        List<String> out = new ArrayList<>(values.size());
        for (Object v : values) {
            if (v == null) {
                out.add("");
                continue;
            }
            if (!(v instanceof Map<?, ?> groups)) throw error(path, "PN values must be objects of component groups (F.2.2), found " + describe(v));
            for (Object name : groups.keySet()) {
                if (!PersonNameGroups.NAMES.contains(name)) throw error(path, "unknown PN component group \"" + name + "\"");
            }
            String[] g = new String[3];
            for (int i = 0; i < 3; i++) {
                Object c = groups.get(PersonNameGroups.NAMES.get(i));
                if (c != null && !(c instanceof String)) throw error(path, "PN component groups must be strings, found " + describe(c));
                g[i] = (String) c;
            }
            out.add(PersonNameGroups.join(g[0], g[1], g[2]));
        }
        return out;
    }

    private static List<String> strings(VR vr, List<?> values, String path) throws DicomJsonException {
        if (vr.isSingleValuedText() && values.size() > 1) throw error(path, vr + " is single-valued, found " + values.size() + " values");
        List<String> out = new ArrayList<>(values.size());
        for (Object v : values) {
            if (v == null) {
                out.add("");
            } else if (v instanceof String s) {
                out.add(s);
            } else if (v instanceof JsonNumber n && (vr == VR.DS || vr == VR.IS)) {
                String text = vr == VR.DS ? DecimalText.toDecimalString(n) : DecimalText.toIntegerString(n);
                if (text == null) throw error(path, "IS value " + n + " is not an integer");
                out.add(text);
            } else {
                throw error(path, vr + " values must be strings" + (vr == VR.DS || vr == VR.IS ? " or numbers" : "") + ", found " + describe(v));
            }
        }
        return out;
    }

    /**
     * Joins values with the 05/12 delimiter (F.2.4), encodes and pads them as PS3.5 §6.2 requires.
     * Text the character set in scope cannot hold is refused rather than silently turned into '?'.
     */
    private static byte[] text(VR vr, List<String> values, SpecificCharacterSet cs, String path) throws DicomJsonException {
        String joined = String.join("\\", values);
        byte[] b;
        if (vr.kind() == VR.Kind.TEXT) {
            b = cs.encode(joined, vr);
            if (!cs.decode(b, vr).equals(joined)) {
                throw error(path, "text " + describe(joined) + " cannot be encoded in Specific Character Set " + cs.terms()
                        + "; the data set needs a (0008,0005) that covers it, e.g. ISO_IR 192");
            }
        } else {
            for (int i = 0; i < joined.length(); i++) {
                if (joined.charAt(i) > 0xFF) throw error(path, vr + " value " + describe(joined) + " is outside the default repertoire");
            }
            b = joined.getBytes(StandardCharsets.ISO_8859_1);
        }
        return Attributes.pad(b, vr);
    }

    private Object inlineBinary(int tag, VR vr, Object json, String path) throws DicomJsonException {
        if (!isBinary(vr)) throw error(path, "InlineBinary is only for OB, OD, OF, OL, OV, OW, UN (F.2.2), not " + vr);
        if (!(json instanceof String s)) throw error(path, "InlineBinary must be a base64 string, found " + kind(json));
        byte[] b;
        try {
            b = Base64.getDecoder().decode(s.replaceAll("[\\s]", ""));
        } catch (IllegalArgumentException e) {
            throw error(path, "InlineBinary is not valid base64: " + e.getMessage());
        }
        if ((vr == VR.OB || vr == VR.OW) && isPixelData(tag)) {
            Fragments f = EncapsulatedValueField.parse(b);
            if (f != null) return f;
        }
        return b;
    }

    private Object bulkData(int tag, VR vr, Object json, String path) throws IOException {
        if (!(json instanceof String uri)) throw error(path, "BulkDataURI must be a string, found " + kind(json));
        Object v = resolver.resolve(uri, tag, vr);
        if (v instanceof BulkData d && d.bigEndian()) throw error(path, "the resolver returned big-endian bulk data for a little-endian data set");
        if (!(v instanceof byte[] || v instanceof BulkData || v instanceof Fragments)) {
            throw error(path, "the resolver returned " + kind(v) + " for " + uri);
        }
        return v;
    }

    private static boolean isBinary(VR vr) {
        return switch (vr) {
            case OB, OD, OF, OL, OV, OW, UN -> true;
            default -> false;
        };
    }

    private static boolean isPixelData(int tag) {
        return tag == Tag.PixelData || tag == Tag.FloatPixelData || tag == Tag.DoubleFloatPixelData;
    }

    static DicomJsonException error(String path, String problem) {
        return new DicomJsonException(path + ": " + problem);
    }

    static String kind(Object json) {
        if (json == null) return "null";
        if (json instanceof Map) return "an object";
        if (json instanceof List) return "an array";
        if (json instanceof String) return "a string";
        if (json instanceof JsonNumber) return "a number";
        if (json instanceof Boolean) return "a boolean";
        return json.getClass().getSimpleName();
    }

    static String describe(Object json) {
        if (json instanceof String s) return "\"" + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "\"";
        if (json instanceof JsonNumber || json instanceof Boolean) return json.toString();
        return kind(json);
    }
}
