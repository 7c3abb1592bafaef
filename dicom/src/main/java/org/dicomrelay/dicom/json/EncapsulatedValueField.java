package org.dicomrelay.dicom.json;

import org.dicomrelay.dicom.data.Fragments;
import org.dicomrelay.dicom.data.Tag;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The Value Field of encapsulated Pixel Data as PS3.5 §A.4 lays it out (Tables A.4-1, G.6-1): each
 * fragment as an Item (FFFE,E000) with its length, then the Sequence Delimitation Item
 * (FFFE,E0DD). PS3.18 F.2.7 makes InlineBinary "the base64 encoding of the Value Field", so this is
 * what an encapsulated element's InlineBinary holds. Always little endian (PS3.5 §A.4 b).
 */
final class EncapsulatedValueField {
    private EncapsulatedValueField() {}

    private static final int HEADER = 8;

    static long length(Fragments f) {
        long n = HEADER;
        for (Object item : f.items()) n += HEADER + InlineBinary.length(item);
        return n;
    }

    static void write(Fragments f, OutputStream out) throws IOException {
        for (Object item : f.items()) {
            out.write(header(Tag.Item, InlineBinary.length(item)));
            try (InputStream in = InlineBinary.open(item)) {
                in.transferTo(out);
            }
        }
        out.write(header(Tag.SequenceDelimitationItem, 0));
    }

    private static byte[] header(int tag, long length) {
        return new byte[] {
                (byte) (tag >>> 16), (byte) (tag >>> 24), (byte) tag, (byte) (tag >>> 8),
                (byte) length, (byte) (length >>> 8), (byte) (length >>> 16), (byte) (length >>> 24)};
    }

    /**
     * The fragments of a value field laid out as above, or null when the bytes are not exactly such
     * a layout (a chain of items ending with the delimiter at the last byte).
     */
    static Fragments parse(byte[] b) {
        List<Object> items = new ArrayList<>();
        int off = 0;
        while (b.length - off >= HEADER) {
            int tag = u16(b, off) << 16 | u16(b, off + 2);
            long len = u16(b, off + 4) | (long) u16(b, off + 6) << 16;
            off += HEADER;
            if (tag == Tag.SequenceDelimitationItem) {
                return len == 0 && off == b.length ? new Fragments(items) : null;
            }
            if (tag != Tag.Item || len > b.length - off) return null;
            items.add(Arrays.copyOfRange(b, off, off + (int) len));
            off += (int) len;
        }
        return null;
    }

    private static int u16(byte[] b, int i) { return (b[i] & 0xFF) | (b[i + 1] & 0xFF) << 8; }
}
