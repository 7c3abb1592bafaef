package org.dicomrelay.dicom.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;

/**
 * A data set or sequence item: elements in the order they were read (or in tag order when built),
 * values kept as raw bytes in {@link #bigEndian()} byte order. Text is decoded on demand with the
 * specific character set in scope (an item inherits its parent's, PS3.5 §7.5.3).
 */
public final class Attributes implements Iterable<DicomElement> {
    private final ArrayList<DicomElement> elements = new ArrayList<>();
    private final boolean bigEndian;
    private boolean undefinedLength = true;
    private boolean sorted = true;
    private Attributes parent;
    private SpecificCharacterSet charset;

    public Attributes() {
        this(false);
    }

    public Attributes(boolean bigEndian) {
        this.bigEndian = bigEndian;
    }

    public boolean bigEndian() { return bigEndian; }

    /** As a sequence item: whether it was encoded with undefined length. */
    public boolean undefinedLength() { return undefinedLength; }

    public Attributes undefinedLength(boolean undefined) {
        this.undefinedLength = undefined;
        return this;
    }

    public Attributes parent() { return parent; }

    void parent(Attributes parent) {
        this.parent = parent;
        this.charset = null;
    }

    public int size() { return elements.size(); }

    public boolean isEmpty() { return elements.isEmpty(); }

    @Override public Iterator<DicomElement> iterator() {
        return java.util.Collections.unmodifiableList(elements).iterator();
    }

    public List<DicomElement> elements() { return java.util.Collections.unmodifiableList(elements); }

    /** Appends as read, keeping the encoded order even where a file breaks tag order. */
    public void add(DicomElement e) {
        if (!elements.isEmpty() && Integer.compareUnsigned(elements.get(elements.size() - 1).tag(), e.tag()) >= 0) {
            sorted = false;
        }
        adopt(e);
        elements.add(e);
    }

    /** Replaces the element with the same tag, or inserts it in tag order. */
    public void set(DicomElement e) {
        int i = indexOf(e.tag());
        adopt(e);
        if (i >= 0) {
            elements.set(i, e);
        } else if (sorted) {
            elements.add(-i - 1, e);
        } else {
            elements.add(e);
        }
        if (e.tag() == Tag.SpecificCharacterSet) charset = null;
    }

    private void adopt(DicomElement e) {
        if (e.value() instanceof Sequence s) {
            for (Attributes item : s.items()) item.parent(this);
        }
        if (e.tag() == Tag.SpecificCharacterSet) charset = null;
    }

    public DicomElement remove(int tag) {
        int i = indexOf(tag);
        if (i < 0) return null;
        if (tag == Tag.SpecificCharacterSet) charset = null;
        return elements.remove(i);
    }

    public DicomElement get(int tag) {
        int i = indexOf(tag);
        return i < 0 ? null : elements.get(i);
    }

    public boolean contains(int tag) { return indexOf(tag) >= 0; }

    private int indexOf(int tag) {
        if (sorted) {
            int lo = 0, hi = elements.size() - 1;
            while (lo <= hi) {
                int mid = (lo + hi) >>> 1;
                int c = Integer.compareUnsigned(elements.get(mid).tag(), tag);
                if (c < 0) lo = mid + 1;
                else if (c > 0) hi = mid - 1;
                else return mid;
            }
            return -(lo + 1);
        }
        for (int i = 0; i < elements.size(); i++) if (elements.get(i).tag() == tag) return i;
        return -(elements.size() + 1);
    }

    public SpecificCharacterSet specificCharacterSet() {
        if (charset == null) {
            DicomElement e = get(Tag.SpecificCharacterSet);
            if (e != null) {
                charset = SpecificCharacterSet.valueOf(asciiValues(bytes(e)));
            } else {
                charset = parent != null ? parent.specificCharacterSet() : SpecificCharacterSet.ASCII;
            }
        }
        return charset;
    }

    // ---- typed access ------------------------------------------------------------------

    private static int tagOf(String keyword) {
        int tag = ElementDictionary.standard().tagOf(keyword);
        if (tag == -1) throw new IllegalArgumentException("unknown keyword " + keyword);
        return tag;
    }

    /** The raw value bytes (reading bulk data in), or null if absent or not a byte value. */
    public byte[] getBytes(int tag) {
        DicomElement e = get(tag);
        return e == null ? null : bytes(e);
    }

    private static byte[] bytes(DicomElement e) {
        if (e.value() instanceof byte[] b) return b;
        if (e.value() instanceof BulkData d) {
            try {
                return d.readAll();
            } catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
        }
        return null;
    }

    public String getString(String keyword) { return getString(tagOf(keyword)); }

    /** The first value, decoded and trimmed as its VR allows; null if absent or empty. */
    public String getString(int tag) {
        String[] v = getStrings(tag);
        return v.length == 0 ? null : v[0];
    }

    /** All values of a string element, decoded with the character set in scope and trimmed. */
    public String[] getStrings(int tag) {
        DicomElement e = get(tag);
        if (e == null) return new String[0];
        byte[] b = bytes(e);
        if (b == null || b.length == 0) return new String[0];
        VR vr = e.vr();
        if (!vr.isString()) return binaryAsStrings(e.vr(), b);
        String s = vr.kind() == VR.Kind.TEXT ? specificCharacterSet().decode(b, vr)
                : new String(b, StandardCharsets.ISO_8859_1);
        String[] parts = vr.isSingleValuedText() ? new String[] {s} : s.split("\\\\", -1);
        for (int i = 0; i < parts.length; i++) parts[i] = trim(parts[i], vr);
        return parts;
    }

    static String trim(String s, VR vr) {
        int end = s.length();
        while (end > 0 && (s.charAt(end - 1) == ' ' || s.charAt(end - 1) == '\0')) end--;
        int start = 0;
        // Leading spaces are significant in the free-text VRs (PS3.5 Table 6.2-1).
        if (vr != VR.LT && vr != VR.ST && vr != VR.UT && vr != VR.UC && vr != VR.PN) {
            while (start < end && s.charAt(start) == ' ') start++;
        }
        return s.substring(start, end);
    }

    private String[] binaryAsStrings(VR vr, byte[] b) {
        return switch (vr) {
            case US, SS, UL, SL, AT -> Arrays.stream(getInts(vr, b)).mapToObj(i ->
                    vr == VR.UL ? Long.toString(Integer.toUnsignedLong(i)) : Integer.toString(i)).toArray(String[]::new);
            case FL, FD -> Arrays.stream(doubles(vr, b)).mapToObj(Double::toString).toArray(String[]::new);
            default -> new String[0];
        };
    }

    private static String[] asciiValues(byte[] b) {
        String[] v = new String(b, StandardCharsets.ISO_8859_1).split("\\\\", -1);
        for (int i = 0; i < v.length; i++) v[i] = v[i].strip();
        return v;
    }

    public int getInt(int tag, int defaultValue) {
        int[] v = getInts(tag);
        return v.length == 0 ? defaultValue : v[0];
    }

    /** Values of US, SS, UL, SL (as int bits), AT (as tags) or IS elements. */
    public int[] getInts(int tag) {
        DicomElement e = get(tag);
        if (e == null) return new int[0];
        byte[] b = bytes(e);
        if (b == null) return new int[0];
        if (e.vr() == VR.IS) {
            return Arrays.stream(getStrings(tag)).filter(s -> !s.isEmpty()).mapToInt(Integer::parseInt).toArray();
        }
        return getInts(e.vr(), b);
    }

    private int[] getInts(VR vr, byte[] b) {
        ByteBuffer buf = ByteBuffer.wrap(b).order(bigEndian ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        return switch (vr) {
            case US -> { int[] v = new int[b.length / 2]; for (int i = 0; i < v.length; i++) v[i] = buf.getShort() & 0xFFFF; yield v; }
            case SS -> { int[] v = new int[b.length / 2]; for (int i = 0; i < v.length; i++) v[i] = buf.getShort(); yield v; }
            case UL, SL -> { int[] v = new int[b.length / 4]; for (int i = 0; i < v.length; i++) v[i] = buf.getInt(); yield v; }
            case AT -> { int[] v = new int[b.length / 4]; for (int i = 0; i < v.length; i++) v[i] = ((buf.getShort() & 0xFFFF) << 16) | (buf.getShort() & 0xFFFF); yield v; }
            default -> throw new IllegalArgumentException("not an integer VR: " + vr);
        };
    }

    /** Values of FL, FD, DS, IS elements. */
    public double[] getDoubles(int tag) {
        DicomElement e = get(tag);
        if (e == null) return new double[0];
        if (e.vr() == VR.DS || e.vr() == VR.IS) {
            return Arrays.stream(getStrings(tag)).filter(s -> !s.isEmpty()).mapToDouble(Double::parseDouble).toArray();
        }
        byte[] b = bytes(e);
        return b == null ? new double[0] : doubles(e.vr(), b);
    }

    private double[] doubles(VR vr, byte[] b) {
        ByteBuffer buf = ByteBuffer.wrap(b).order(bigEndian ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        return switch (vr) {
            case FL, OF -> { double[] v = new double[b.length / 4]; for (int i = 0; i < v.length; i++) v[i] = buf.getFloat(); yield v; }
            case FD, OD -> { double[] v = new double[b.length / 8]; for (int i = 0; i < v.length; i++) v[i] = buf.getDouble(); yield v; }
            default -> throw new IllegalArgumentException("not a float VR: " + vr);
        };
    }

    public Sequence getSequence(int tag) {
        DicomElement e = get(tag);
        return e != null && e.value() instanceof Sequence s ? s : null;
    }

    // ---- building ----------------------------------------------------------------------

    public Attributes setString(String keyword, String... values) {
        int tag = tagOf(keyword);
        return setString(tag, ElementDictionary.standard().vrOf(tag), values);
    }

    /** Sets a string element, encoding text with the character set in scope and padding to even length. */
    public Attributes setString(int tag, VR vr, String... values) {
        String joined = String.join("\\", values);
        byte[] b = vr.kind() == VR.Kind.TEXT ? specificCharacterSet().encode(joined, vr)
                : joined.getBytes(StandardCharsets.ISO_8859_1);
        return setBytes(tag, vr, pad(b, vr));
    }

    public Attributes setInt(int tag, VR vr, int... values) {
        if (vr == VR.IS) return setString(tag, vr, Arrays.stream(values).mapToObj(Integer::toString).toArray(String[]::new));
        int unit = vr == VR.US || vr == VR.SS ? 2 : 4;
        ByteBuffer buf = ByteBuffer.allocate(values.length * unit).order(bigEndian ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        for (int v : values) {
            switch (vr) {
                case US, SS -> buf.putShort((short) v);
                case UL, SL -> buf.putInt(v);
                case AT -> buf.putShort((short) (v >>> 16)).putShort((short) v);
                default -> throw new IllegalArgumentException("not an integer VR: " + vr);
            }
        }
        return setBytes(tag, vr, buf.array());
    }

    public Attributes setDouble(int tag, VR vr, double... values) {
        if (vr == VR.DS) return setString(tag, vr, Arrays.stream(values).mapToObj(Double::toString).toArray(String[]::new));
        int unit = vr == VR.FL || vr == VR.OF ? 4 : 8;
        ByteBuffer buf = ByteBuffer.allocate(values.length * unit).order(bigEndian ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        for (double v : values) {
            if (unit == 4) buf.putFloat((float) v);
            else buf.putDouble(v);
        }
        return setBytes(tag, vr, buf.array());
    }

    public Attributes setBytes(int tag, VR vr, byte[] value) {
        set(new DicomElement(tag, vr, value));
        return this;
    }

    public Attributes setSequence(int tag, Attributes... items) {
        set(new DicomElement(tag, VR.SQ, new Sequence(List.of(items), true)));
        return this;
    }

    /** Pads to even length with the VR's padding byte (PS3.5 §6.2: NUL for UI, space for text). */
    public static byte[] pad(byte[] b, VR vr) {
        if ((b.length & 1) == 0) return b;
        byte[] p = Arrays.copyOf(b, b.length + 1);
        p[b.length] = vr.padding();
        return p;
    }

    // ---- comparison --------------------------------------------------------------------

    /** Same elements with the same values, whatever byte order either holds them in. */
    public boolean contentEquals(Attributes other) {
        if (other.elements.size() != elements.size()) return false;
        for (int i = 0; i < elements.size(); i++) {
            DicomElement a = elements.get(i), b = other.elements.get(i);
            if (a.tag() != b.tag() || a.vr() != b.vr() || !valueEquals(a, b, other)) return false;
        }
        return true;
    }

    private boolean valueEquals(DicomElement a, DicomElement b, Attributes other) {
        Object va = a.value(), vb = b.value();
        if (va instanceof Sequence sa) {
            if (!(vb instanceof Sequence sb) || sa.items().size() != sb.items().size()) return false;
            for (int i = 0; i < sa.items().size(); i++) if (!sa.items().get(i).contentEquals(sb.items().get(i))) return false;
            return true;
        }
        if (va instanceof Fragments fa) {
            if (!(vb instanceof Fragments fb) || fa.items().size() != fb.items().size()) return false;
            for (int i = 0; i < fa.items().size(); i++) {
                if (!Arrays.equals(fragmentBytes(fa.items().get(i)), fragmentBytes(fb.items().get(i)))) return false;
            }
            return true;
        }
        if (vb instanceof Sequence || vb instanceof Fragments) return false;
        byte[] x = bytes(a), y = bytes(b);
        if (bigEndian != other.bigEndian) y = ByteSwap.swapped(y, b.vr());
        return Arrays.equals(x, y);
    }

    private static byte[] fragmentBytes(Object o) {
        return bytes(new DicomElement(Tag.Item, VR.OB, o));
    }

    @Override public String toString() {
        StringBuilder sb = new StringBuilder();
        for (DicomElement e : elements) sb.append(Tag.toString(e.tag())).append(' ').append(e.vr()).append('\n');
        return sb.toString();
    }
}
