package org.dicomrelay.dicom.io;

import org.dicomrelay.dicom.data.Attributes;
import org.dicomrelay.dicom.data.DicomElement;
import org.dicomrelay.dicom.data.ElementDictionary;
import org.dicomrelay.dicom.data.Tag;
import org.dicomrelay.dicom.data.TransferSyntax;
import org.dicomrelay.dicom.data.VR;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;

/**
 * A pull parser over a DICOM data set (PS3.5 §7): {@link #next()} returns one event at a time and
 * leaves a value unread until asked, so values of any size can be skipped, copied as a stream or
 * read into memory. Nesting is tracked on an explicit stack, bounded by {@link #MAX_DEPTH}.
 *
 * <p>Constructed on a PS3.10 file (preamble, "DICM", file meta information) or a bare data set,
 * whose transfer syntax is then guessed from its first bytes, as DCMTK does.
 */
public final class DicomInputStream implements Closeable {

    public enum Event { ELEMENT, SEQUENCE_START, ITEM_START, ITEM_END, SEQUENCE_END, FRAGMENTS_START, FRAGMENT, FRAGMENTS_END, END }

    /** Deeper nesting than this is taken as hostile input rather than a real data set. */
    public static final int MAX_DEPTH = 128;
    private static final long UNDEFINED = 0xFFFFFFFFL;

    private enum Kind { SEQUENCE, ITEM, FRAGMENTS }

    private record Context(Kind kind, int tag, long start, long end, boolean explicitVR, boolean bigEndian) {}

    private final ElementDictionary dictionary = ElementDictionary.standard();
    private CountingInputStream in;
    private final long streamLength;
    private final byte[] buf = new byte[12];
    private TransferSyntax transferSyntax;
    private Attributes fileMetaInformation;
    private boolean positionIsStreamOffset = true;
    private long rawDataSetStart;
    private final ArrayDeque<Context> stack = new ArrayDeque<>();

    private int tag;
    private VR vr;
    private long length;
    private long headerPosition;
    private long valueRemaining;
    private Event event;

    /** Reads a PS3.10 file or a bare data set, finding out which. */
    public DicomInputStream(InputStream in) throws IOException {
        this(in, -1);
    }

    /**
     * @param streamLength the total byte count when known (a file), so that lengths pointing past
     *                     the end are refused at once and skips can seek; -1 if unknown
     */
    public DicomInputStream(InputStream in, long streamLength) throws IOException {
        this.in = new CountingInputStream(in.markSupported() ? in : new BufferedInputStream(in, 65536));
        this.streamLength = streamLength;
        readPreambleAndMeta();
    }

    /** Reads a bare data set in a known transfer syntax (e.g. a P-DATA stream). */
    public DicomInputStream(InputStream in, TransferSyntax ts) throws IOException {
        this.in = new CountingInputStream(in.markSupported() ? in : new BufferedInputStream(in, 65536));
        this.streamLength = -1;
        startDataSet(ts);
    }

    public TransferSyntax transferSyntax() { return transferSyntax; }

    private long dataSetStart;

    /** Offset where the data set begins: after the meta information, in the raw stream (deflated data sets: the compressed stream starts there). */
    public long dataSetStart() { return positionIsStreamOffset ? dataSetStart : rawDataSetStart; }

    /** The group 0002 elements, or null when the input had none. */
    public Attributes fileMetaInformation() { return fileMetaInformation; }

    /** Bytes consumed so far (after inflation for deflated syntaxes). */
    public long position() { return in.count(); }

    /** True while {@link #position()} is an offset into the underlying stream (not deflated). */
    public boolean positionIsStreamOffset() { return positionIsStreamOffset; }

    public int tag() { return tag; }

    public VR vr() { return vr; }

    /** Value length of the current element or fragment; -1 for undefined. */
    public long length() { return length; }

    /** Offset of the current event's header. */
    public long headerPosition() { return headerPosition; }

    public Event event() { return event; }

    /** Nesting depth: 0 at the top level of the data set. */
    public int depth() { return stack.size(); }

    /** True when the current sequence or item was encoded with undefined length. */
    public boolean currentUndefinedLength() { return length < 0; }

    /** Whether values at the current position are big endian (items of a CP-246 sequence are little endian). */
    public boolean bigEndian() {
        Context c = stack.peek();
        return c != null ? c.bigEndian : transferSyntax.bigEndian();
    }

    public boolean explicitVR() {
        Context c = stack.peek();
        return c != null ? c.explicitVR : transferSyntax.explicitVR();
    }

    // ---- start of stream ----------------------------------------------------------------

    private void readPreambleAndMeta() throws IOException {
        in.mark(140);
        byte[] head = in.readNBytes(132);
        if (head.length == 132 && head[128] == 'D' && head[129] == 'I' && head[130] == 'C' && head[131] == 'M') {
            readMeta();
            return;
        }
        in.reset();
        in.mark(140);
        byte[] first = in.readNBytes(8);
        in.reset();
        if (first.length >= 4 && first[0] == 'D' && first[1] == 'I' && first[2] == 'C' && first[3] == 'M') {
            in.skipNBytes(4);
            readMeta();
            return;
        }
        if (first.length < 8) {
            if (first.length == 0) throw new DicomParseException(0, "empty input: no DICOM data set");
            throw new DicomParseException(0, "input of " + first.length + " bytes is too short for a DICOM data set");
        }
        int groupLE = (first[0] & 0xFF) | (first[1] & 0xFF) << 8;
        if (groupLE == 0x0002) {
            readMeta();
            return;
        }
        startDataSet(guessTransferSyntax(first));
    }

    /** For data sets without meta information: explicit if bytes 4-5 spell a VR; big endian if the group reads small that way. */
    private static TransferSyntax guessTransferSyntax(byte[] first) {
        int groupLE = (first[0] & 0xFF) | (first[1] & 0xFF) << 8;
        int groupBE = (first[0] & 0xFF) << 8 | (first[1] & 0xFF);
        boolean explicit = VR.ofCode((first[4] & 0xFF) << 8 | (first[5] & 0xFF)) != null;
        boolean bigEndian = groupBE < groupLE && groupBE <= 0x0008 && groupBE != 0;
        if (!explicit) return TransferSyntax.IMPLICIT_VR_LITTLE_ENDIAN;
        return bigEndian ? TransferSyntax.EXPLICIT_VR_BIG_ENDIAN : TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN;
    }

    private void readMeta() throws IOException {
        transferSyntax = TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN;
        Attributes meta = new Attributes(false);
        while (true) {
            in.mark(8);
            byte[] g = in.readNBytes(2);
            in.reset();
            if (g.length < 2 || ((g[0] & 0xFF) | (g[1] & 0xFF) << 8) != 0x0002) break;
            Event e = next();
            if (e != Event.ELEMENT) {
                throw new DicomParseException(headerPosition, "unexpected " + e + " in file meta information");
            }
            meta.add(new DicomElement(tag, vr, readValue()));
        }
        fileMetaInformation = meta;
        byte[] tsuid = meta.getBytes(Tag.TransferSyntaxUID);
        if (tsuid == null) {
            // Meta information without (0002,0010) is invalid, but the data set is still readable: guess, as for no meta at all.
            in.mark(8);
            byte[] first = in.readNBytes(8);
            in.reset();
            if (first.length < 8) throw new DicomParseException(position(), "file meta information has no Transfer Syntax UID (0002,0010) and no data set follows");
            startFileDataSet(guessTransferSyntax(first));
            return;
        }
        TransferSyntax ts = TransferSyntax.of(new String(tsuid, StandardCharsets.US_ASCII));
        startFileDataSet(ts);
    }

    private void startDataSet(TransferSyntax ts) throws IOException {
        transferSyntax = ts;
        if (ts.deflated()) {
            rawDataSetStart = in.count();
            in = new CountingInputStream(new BufferedInputStream(new InflaterInputStream(in, new Inflater(true), 65536), 65536));
            positionIsStreamOffset = false;
        }
        dataSetStart = in.count();
        event = null;
    }

    /** Some file writers declare explicit VR and write implicit (or the reverse): read what is there. */
    private void startFileDataSet(TransferSyntax ts) throws IOException {
        startDataSet(ts);
        in.mark(8);
        byte[] first = in.readNBytes(6);
        in.reset();
        if (first.length == 6 && !ts.deflated() && !ts.bigEndian()) {
            boolean looksExplicit = VR.ofCode((first[4] & 0xFF) << 8 | (first[5] & 0xFF)) != null;
            int group = (first[0] & 0xFF) | (first[1] & 0xFF) << 8;
            if (group != 0xFFFE && ts.explicitVR() != looksExplicit) {
                transferSyntax = new TransferSyntax(ts.uid(), ts.name(), looksExplicit, false, false, ts.encapsulated());
            }
        }
    }

    /** True when the data set is encoded differently from what its meta information declares. */
    public boolean transferSyntaxMismatch() {
        if (fileMetaInformation == null) return false;
        byte[] tsuid = fileMetaInformation.getBytes(Tag.TransferSyntaxUID);
        return tsuid != null && TransferSyntax.of(new String(tsuid, StandardCharsets.US_ASCII)).explicitVR() != transferSyntax.explicitVR();
    }

    // ---- events -------------------------------------------------------------------------

    public Event next() throws IOException {
        if (valueRemaining > 0) skipValue();
        Context top = stack.peek();
        if (top != null && top.end >= 0 && in.count() >= top.end) {
            if (in.count() > top.end) {
                throw new DicomParseException(in.count(), "content overruns the " + top.kind.name().toLowerCase()
                        + " of " + Tag.toString(top.tag) + " that ends at offset " + top.end);
            }
            stack.pop();
            headerPosition = in.count();
            tag = top.tag;
            return event = top.kind == Kind.ITEM ? Event.ITEM_END : Event.SEQUENCE_END;
        }
        headerPosition = in.count();
        boolean explicit = top != null ? top.explicitVR : transferSyntax.explicitVR();
        boolean big = top != null ? top.bigEndian : transferSyntax.bigEndian();
        int n;
        try {
            n = in.readNBytes(buf, 0, 4);
        } catch (java.io.EOFException e) {
            throw new DicomParseException(headerPosition, "truncated: the deflated data set ends abruptly (" + e.getMessage() + ")");
        }
        if (n == 0 && top == null) {
            tag = 0;
            return event = Event.END;
        }
        if (n < 4) {
            if (top != null) throw truncatedInside(top);
            throw new DicomParseException(headerPosition, "truncated: " + n + " stray bytes at the end where a tag was expected");
        }
        tag = big ? (u16be(0) << 16 | u16be(2)) : (u16le(0) << 16 | u16le(2));
        if (Tag.group(tag) == 0xFFFE) return delimiterOrItem(top, big);
        if (top != null && top.kind != Kind.ITEM) {
            throw new DicomParseException(headerPosition, "expected an item tag (FFFE,E000) in " + Tag.toString(top.tag)
                    + ", found " + Tag.toString(tag));
        }
        readElementHeader(explicit, big);
        if (top != null && top.end >= 0 && length >= 0 && in.count() + length > top.end) {
            throw new DicomParseException(headerPosition, "value length " + length + " of " + Tag.toString(tag)
                    + " runs past the end of its enclosing item at offset " + top.end);
        }
        checkAvailable();
        if (vr == VR.SQ || length < 0) return startContainer(explicit, big);
        valueRemaining = length;
        return event = Event.ELEMENT;
    }

    private DicomParseException truncatedInside(Context top) {
        return new DicomParseException(in.count(), "truncated: data ends inside the " + top.kind.name().toLowerCase()
                + " of " + Tag.toString(top.tag) + " begun at offset " + top.start);
    }

    private void readElementHeader(boolean explicit, boolean big) throws IOException {
        if (explicit) {
            readFully(4);
            int code = (buf[0] & 0xFF) << 8 | (buf[1] & 0xFF);
            vr = VR.ofCode(code);
            if (vr == null) {
                throw new DicomParseException(headerPosition, "unknown VR bytes 0x" + Integer.toHexString(code)
                        + " in explicit VR header of " + Tag.toString(tag));
            }
            if (vr.longHeader()) {
                readFully(4);
                length = u32(big);
            } else {
                length = big ? u16be(2) : u16le(2);
            }
        } else {
            readFully(4);
            length = u32(big);
            vr = dictionary.vrOf(tag);
        }
        if (length == UNDEFINED) length = -1;
    }

    private long u32(boolean big) {
        return big ? ((long) u16be(0) << 16 | u16be(2)) : ((long) u16le(2) << 16 | u16le(0));
    }

    private Event startContainer(boolean explicit, boolean big) throws DicomParseException {
        if (stack.size() >= MAX_DEPTH) {
            throw new DicomParseException(headerPosition, "sequences nested deeper than " + MAX_DEPTH + " at " + Tag.toString(tag));
        }
        long end = length < 0 ? -1 : in.count() + length;
        if (vr == VR.SQ) {
            stack.push(new Context(Kind.SEQUENCE, tag, headerPosition, end, explicit, big));
            return event = Event.SEQUENCE_START;
        }
        if (explicit && vr == VR.UN) {
            // CP-246: a UN of undefined length is a sequence whose items are implicit VR little endian.
            stack.push(new Context(Kind.SEQUENCE, tag, headerPosition, -1, false, false));
            return event = Event.SEQUENCE_START;
        }
        if (vr == VR.OB || vr == VR.OW || (!explicit && isPixelDataTag(tag))) {
            if (!explicit) vr = VR.OB;
            stack.push(new Context(Kind.FRAGMENTS, tag, headerPosition, -1, explicit, big));
            return event = Event.FRAGMENTS_START;
        }
        if (!explicit) {
            // An implicit VR element of undefined length can only be a sequence the dictionary does not know.
            vr = VR.SQ;
            stack.push(new Context(Kind.SEQUENCE, tag, headerPosition, -1, false, big));
            return event = Event.SEQUENCE_START;
        }
        throw new DicomParseException(headerPosition, "undefined length is not allowed for " + vr + " element " + Tag.toString(tag));
    }

    private static boolean isPixelDataTag(int tag) {
        return tag == Tag.PixelData || tag == Tag.FloatPixelData || tag == Tag.DoubleFloatPixelData;
    }

    private Event delimiterOrItem(Context top, boolean big) throws IOException {
        readFully(4);
        length = u32(big);
        if (length == UNDEFINED) length = -1;
        vr = null;
        switch (tag) {
            case Tag.Item -> {
                if (top == null || top.kind == Kind.ITEM) {
                    throw new DicomParseException(headerPosition, "item tag (FFFE,E000) outside a sequence");
                }
                if (top.kind == Kind.FRAGMENTS) {
                    if (length < 0) throw new DicomParseException(headerPosition, "fragment of undefined length in " + Tag.toString(top.tag));
                    checkAvailable();
                    valueRemaining = length;
                    return event = Event.FRAGMENT;
                }
                if (stack.size() >= MAX_DEPTH) {
                    throw new DicomParseException(headerPosition, "items nested deeper than " + MAX_DEPTH);
                }
                long end = length < 0 ? -1 : in.count() + length;
                if (top.end >= 0 && end > top.end) {
                    throw new DicomParseException(headerPosition, "item length " + length + " runs past the end of sequence "
                            + Tag.toString(top.tag) + " at offset " + top.end);
                }
                checkAvailable();
                stack.push(new Context(Kind.ITEM, top.tag, headerPosition, end, top.explicitVR, top.bigEndian));
                return event = Event.ITEM_START;
            }
            case Tag.ItemDelimitationItem -> {
                if (top == null || top.kind != Kind.ITEM || top.end >= 0) {
                    throw new DicomParseException(headerPosition, "item delimitation item (FFFE,E00D) without an open item of undefined length");
                }
                stack.pop();
                tag = top.tag;
                return event = Event.ITEM_END;
            }
            case Tag.SequenceDelimitationItem -> {
                if (top == null || top.kind == Kind.ITEM || top.end >= 0) {
                    throw new DicomParseException(headerPosition, "sequence delimitation item (FFFE,E0DD) without an open sequence of undefined length");
                }
                stack.pop();
                tag = top.tag;
                return event = top.kind == Kind.FRAGMENTS ? Event.FRAGMENTS_END : Event.SEQUENCE_END;
            }
            default -> throw new DicomParseException(headerPosition, "unknown delimiter tag " + Tag.toString(tag));
        }
    }

    private void checkAvailable() throws DicomParseException {
        if (streamLength >= 0 && positionIsStreamOffset && length > 0 && in.count() + length > streamLength) {
            throw new DicomParseException(headerPosition, "truncated: value length " + length + " of " + Tag.toString(tag)
                    + " runs past the end of the data (" + streamLength + " bytes)");
        }
    }

    // ---- values -------------------------------------------------------------------------

    /** Reads the current value into memory, growing the buffer only as bytes really arrive. */
    public byte[] readValue() throws IOException {
        if (valueRemaining > Integer.MAX_VALUE - 16) {
            throw new DicomParseException(headerPosition, "value of " + valueRemaining + " bytes is too large to hold in memory; stream it");
        }
        int len = (int) valueRemaining;
        byte[] b = new byte[Math.min(len, 1 << 20)];
        int off = 0;
        while (off < len) {
            if (off == b.length) b = Arrays.copyOf(b, (int) Math.min(len, (long) b.length * 2));
            int n = in.read(b, off, b.length - off);
            if (n < 0) throw truncatedValue(off);
            off += n;
        }
        valueRemaining = 0;
        return b;
    }

    /** Skips the rest of the current value. */
    public void skipValue() throws IOException {
        long left = valueRemaining;
        if (streamLength >= 0 && positionIsStreamOffset) {
            in.skipNBytes(left);
        } else {
            byte[] scratch = new byte[(int) Math.min(left, 65536)];
            long done = 0;
            while (done < left) {
                int n = in.read(scratch, 0, (int) Math.min(scratch.length, left - done));
                if (n < 0) throw truncatedValue(done);
                done += n;
            }
        }
        valueRemaining = 0;
    }

    /** The rest of the current value as a stream; whatever is left unread is skipped by {@link #next()}. */
    public InputStream valueStream() {
        return new InputStream() {
            @Override public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
            }

            @Override public int read(byte[] b, int off, int len) throws IOException {
                if (valueRemaining <= 0) return -1;
                int n = in.read(b, off, (int) Math.min(len, valueRemaining));
                if (n < 0) throw truncatedValue(length - valueRemaining);
                valueRemaining -= n;
                return n;
            }
        };
    }

    private DicomParseException truncatedValue(long got) {
        return new DicomParseException(headerPosition, "truncated: value of " + Tag.toString(tag) + " declares "
                + length + " bytes, only " + got + " present");
    }

    private void readFully(int n) throws IOException {
        if (in.readNBytes(buf, 0, n) < n) {
            Context top = stack.peek();
            if (top != null) throw truncatedInside(top);
            throw new DicomParseException(headerPosition, "truncated: element header of " + Tag.toString(tag) + " is incomplete");
        }
    }

    private int u16le(int i) { return (buf[i] & 0xFF) | (buf[i + 1] & 0xFF) << 8; }

    private int u16be(int i) { return (buf[i] & 0xFF) << 8 | (buf[i + 1] & 0xFF); }

    @Override public void close() throws IOException {
        in.close();
    }
}
