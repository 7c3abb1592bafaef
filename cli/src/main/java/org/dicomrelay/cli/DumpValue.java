package org.dicomrelay.cli;

import org.dicomrelay.dicom.data.Attributes;
import org.dicomrelay.dicom.data.BulkData;
import org.dicomrelay.dicom.data.DicomElement;
import org.dicomrelay.dicom.data.UidDictionary;
import org.dicomrelay.dicom.data.VR;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * The value column of dcmdump: text in brackets, numbers and tags as such, binary values as hex,
 * "(no value available)" when empty. Shortened as dcmdump does: text longer than 70 characters
 * is cut to 67 and "..."; lists of numbers or hex stop at the first value that reaches 64
 * characters, followed by "..." if any are left. Binary values are read only as far as can be
 * shown, so large pixel data costs nothing.
 */
final class DumpValue {
    private DumpValue() {}

    static final int MAX = 70;
    private static final int LIST_MAX = 64;
    private static final String CUT = "...";
    /** Enough bytes to fill the column in any binary rendering. */
    private static final int PREFIX = 256;

    record Rendered(String text, int vm) {}

    static Rendered of(Attributes holder, DicomElement e) {
        VR vr = e.vr();
        if (e.isEmpty()) return new Rendered("(no value available)", isBulk(vr) ? 1 : 0);
        if (vr.isString()) return string(holder, e);
        byte[] b = prefix(e.value());
        boolean big = e.value() instanceof BulkData d ? d.bigEndian() : holder.bigEndian();
        ByteBuffer buf = ByteBuffer.wrap(b).order(big ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        long length = e.valueLength();
        return switch (vr) {
            case US, SS, UL, SL, SV, UV, FL, FD, AT, OF, OD -> numbers(vr, buf, length);
            case OW -> new Rendered(hex(buf, 2, length), 1);
            case OL -> new Rendered(hex(buf, 4, length), 1);
            case OV -> new Rendered(hex(buf, 8, length), 1);
            default -> new Rendered(hex(buf, 1, length), 1); // OB, UN
        };
    }

    /** The VRs whose value is one opaque block, VM 1 even when empty (PS3.5 §6.4). */
    private static boolean isBulk(VR vr) {
        return switch (vr) {
            case OB, OD, OF, OL, OV, OW, UN -> true;
            default -> false;
        };
    }

    /** dcmdump's truncation of text: at most {@link #MAX} characters. */
    private static String cut(String s) {
        return s.length() <= MAX ? s : s.substring(0, MAX - CUT.length()) + CUT;
    }

    private static Rendered string(Attributes holder, DicomElement e) {
        String[] values = holder.getStrings(e.tag());
        if (e.vr() == VR.UI && values.length == 1 && !UidDictionary.keywordOf(values[0]).isEmpty()) {
            return new Rendered("=" + UidDictionary.keywordOf(values[0]), 1);
        }
        String joined = String.join("\\", values);
        StringBuilder sb = new StringBuilder(joined.length() + 2).append('[');
        // One element per line: control characters (CR, LF, ESC...) are shown as '.'.
        for (int i = 0; i < joined.length(); i++) {
            char c = joined.charAt(i);
            sb.append(c < 0x20 || c == 0x7F ? '.' : c);
        }
        return new Rendered(cut(sb.append(']').toString()), values.length);
    }

    private static Rendered numbers(VR vr, ByteBuffer buf, long length) {
        int unit = switch (vr) {
            case US, SS -> 2;
            case UL, SL, FL, AT, OF -> 4;
            default -> 8;
        };
        List<String> shown = new ArrayList<>();
        int chars = 0;
        while (buf.remaining() >= unit && chars <= MAX) {
            String v = switch (vr) {
                case US -> Integer.toString(buf.getShort() & 0xFFFF);
                case SS -> Integer.toString(buf.getShort());
                case UL -> Integer.toUnsignedString(buf.getInt());
                case SL -> Integer.toString(buf.getInt());
                case SV -> Long.toString(buf.getLong());
                case UV -> Long.toUnsignedString(buf.getLong());
                case FL, OF -> CFormat.g(buf.getFloat(), 9);
                case AT -> String.format("(%04x,%04x)", buf.getShort() & 0xFFFF, buf.getShort() & 0xFFFF);
                default -> CFormat.g(buf.getDouble(), 17); // FD, OD
            };
            shown.add(v);
            chars += v.length() + 1;
        }
        boolean oneValue = vr == VR.OF || vr == VR.OD;
        return new Rendered(list(shown, buf.position() < length), oneValue ? 1 : (int) (length / unit));
    }

    /** Hex words of {@code unit} bytes, separated by backslashes, of a value {@code length} bytes long. */
    private static String hex(ByteBuffer buf, int unit, long length) {
        List<String> shown = new ArrayList<>();
        int chars = 0;
        while (buf.remaining() >= unit && chars <= MAX) {
            String v = switch (unit) {
                case 1 -> String.format("%02x", buf.get() & 0xFF);
                case 2 -> String.format("%04x", buf.getShort() & 0xFFFF);
                case 4 -> String.format("%08x", buf.getInt());
                default -> String.format("%016x", buf.getLong());
            };
            shown.add(v);
            chars += v.length() + 1;
        }
        return list(shown, buf.position() < length);
    }

    /**
     * Values joined by backslashes; when that is longer than {@link #MAX} or values are left out,
     * as many as reach {@link #LIST_MAX} characters, then "...".
     */
    private static String list(List<String> values, boolean more) {
        String all = String.join("\\", values);
        if (!more && all.length() <= MAX) return all;
        StringBuilder sb = new StringBuilder();
        for (String v : values) {
            if (sb.length() >= LIST_MAX) break;
            if (sb.length() > 0) sb.append('\\');
            sb.append(v);
        }
        return sb.append(CUT).toString();
    }

    /** The first bytes of a byte[] or bulk data value. */
    static byte[] prefix(Object value) {
        if (value instanceof byte[] b) return b.length <= PREFIX ? b : java.util.Arrays.copyOf(b, PREFIX);
        try (InputStream in = ((BulkData) value).openStream()) {
            return in.readNBytes(PREFIX);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A fragment of encapsulated pixel data: bytes, as dcmdump shows "pi" items. */
    static Rendered fragment(Object value) {
        if (EncodedLength.length(value) == 0) return new Rendered("(no value available)", 1);
        return new Rendered(hex(ByteBuffer.wrap(prefix(value)), 1, EncodedLength.length(value)), 1);
    }
}
