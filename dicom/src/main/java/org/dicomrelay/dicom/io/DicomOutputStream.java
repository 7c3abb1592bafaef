package org.dicomrelay.dicom.io;

import org.dicomrelay.dicom.data.Attributes;
import org.dicomrelay.dicom.data.BulkData;
import org.dicomrelay.dicom.data.ByteSwap;
import org.dicomrelay.dicom.data.DicomElement;
import org.dicomrelay.dicom.data.Fragments;
import org.dicomrelay.dicom.data.Sequence;
import org.dicomrelay.dicom.data.Tag;
import org.dicomrelay.dicom.data.TransferSyntax;
import org.dicomrelay.dicom.data.VR;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.Flushable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;

/**
 * Writes data sets in a transfer syntax (PS3.5 §7), and PS3.10 file meta information. Values are
 * written as held, byte-swapped only when the byte order changes; sequences and items keep the
 * length form they were read with. Large values are copied as streams.
 */
public final class DicomOutputStream implements Closeable, Flushable {
    private static final long UNDEFINED = 0xFFFFFFFFL;

    private final OutputStream raw;
    private OutputStream out;
    private final TransferSyntax ts;
    private Deflater deflater;
    private DeflaterOutputStream deflaterStream;
    private long deflatedBytes;
    private boolean removeGroupLengths;
    private final byte[] hdr = new byte[12];

    public DicomOutputStream(OutputStream out, TransferSyntax ts) {
        this.raw = out instanceof BufferedOutputStream ? out : new BufferedOutputStream(out, 65536);
        this.out = raw;
        this.ts = ts;
    }

    public TransferSyntax transferSyntax() { return ts; }

    /** Drops group length elements (gggg,0000) of the data set: they are wrong once the encoding changes. */
    public DicomOutputStream removeGroupLengths(boolean remove) {
        this.removeGroupLengths = remove;
        return this;
    }

    /**
     * Writes the 128-byte preamble, "DICM" and the group 0002 elements with a recomputed group
     * length (PS3.10 §7.1), always explicit VR little endian; then starts deflating if the data
     * set's syntax says so.
     */
    public void writeFileMetaInformation(Attributes fmi) throws IOException {
        out.write(new byte[128]);
        out.write(new byte[] {'D', 'I', 'C', 'M'});
        Attributes meta = new Attributes(false);
        long groupLength = 0;
        for (DicomElement e : fmi) {
            if (e.tag() == Tag.FileMetaInformationGroupLength || Tag.group(e.tag()) != 2) continue;
            meta.add(e);
            groupLength += elementLength(e, true, false);
        }
        writeHeader(Tag.FileMetaInformationGroupLength, VR.UL, 4, true, false);
        writeInt((int) groupLength, false);
        writeItems(meta, true, false);
        startDataSet();
    }

    /** For a bare data set in a deflated syntax written without meta information (e.g. on the network). */
    public void startDataSet() {
        if (ts.deflated() && deflater == null) {
            deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
            deflaterStream = new DeflaterOutputStream(new java.io.FilterOutputStream(raw) {
                @Override public void write(byte[] b, int off, int len) throws IOException {
                    out.write(b, off, len);
                    deflatedBytes += len;
                }

                @Override public void write(int b) throws IOException {
                    out.write(b);
                    deflatedBytes++;
                }
            }, deflater, 65536);
            out = new BufferedOutputStream(deflaterStream, 65536);
        }
    }

    public void writeDataSet(Attributes ds) throws IOException {
        startDataSet();
        writeItems(ds, ts.explicitVR(), ts.bigEndian());
    }

    private void writeItems(Attributes ds, boolean explicit, boolean big) throws IOException {
        for (DicomElement e : ds) {
            if (removeGroupLengths && Tag.isGroupLength(e.tag()) && Tag.group(e.tag()) > 2) continue;
            writeElement(e, ds.bigEndian(), explicit, big);
        }
    }

    private void writeElement(DicomElement e, boolean srcBig, boolean explicit, boolean big) throws IOException {
        int tag = e.tag();
        if (e.value() instanceof Sequence s) {
            // CP-246: a UN sequence is always undefined length with implicit VR little endian items.
            boolean un = e.vr() == VR.UN;
            boolean itemExplicit = !un && explicit, itemBig = !un && big;
            boolean undefined = un || s.undefinedLength() || removeGroupLengths;
            long len = undefined ? UNDEFINED : sequenceContentLength(s, itemExplicit, itemBig);
            writeHeader(tag, un ? VR.UN : VR.SQ, len, explicit, big);
            for (Attributes item : s.items()) {
                boolean itemUndefined = un || item.undefinedLength() || removeGroupLengths;
                writeHeader(Tag.Item, null, itemUndefined ? UNDEFINED : itemContentLength(item, itemExplicit, itemBig), explicit && !un, itemBig);
                writeItems(item, itemExplicit, itemBig);
                if (itemUndefined) writeHeader(Tag.ItemDelimitationItem, null, 0, itemExplicit, itemBig);
            }
            if (undefined) writeHeader(Tag.SequenceDelimitationItem, null, 0, itemExplicit, itemBig);
            return;
        }
        if (e.value() instanceof Fragments f) {
            writeHeader(tag, e.vr(), UNDEFINED, explicit, big);
            for (Object frag : f.items()) {
                long len = frag instanceof byte[] b ? b.length : ((BulkData) frag).length();
                writeHeader(Tag.Item, null, len, explicit, big);
                writeValue(frag, VR.OB, false, false);
            }
            writeHeader(Tag.SequenceDelimitationItem, null, 0, explicit, big);
            return;
        }
        long len = e.valueLength();
        writeHeader(tag, headerVR(e.vr(), len, explicit), len, explicit, big);
        writeValue(e.value(), e.vr(), srcBig, big);
    }

    /** CP-1066: a value too long for a 16-bit length is written as UN. */
    private static VR headerVR(VR vr, long len, boolean explicit) {
        return explicit && !vr.longHeader() && len > 0xFFFF ? VR.UN : vr;
    }

    /** Writes one element header (or item/delimiter header when {@code vr} is null); length 0xFFFFFFFF is undefined. */
    public void writeHeader(int tag, VR vr, long length) throws IOException {
        startDataSet();
        boolean explicit = encodings.isEmpty() ? ts.explicitVR() : encodings.peek()[0];
        boolean big = encodings.isEmpty() ? ts.bigEndian() : encodings.peek()[1];
        VR v = vr == null ? null : headerVR(vr, Math.max(length, 0), explicit);
        writeHeader(tag, v, length < 0 ? UNDEFINED : length, explicit, big);
    }

    private final java.util.ArrayDeque<boolean[]> encodings = new java.util.ArrayDeque<>();

    /** For streamed writing: headers that follow use this encoding until {@link #popEncoding()} (CP-246 items are implicit little endian). */
    public void pushEncoding(boolean explicitVR, boolean bigEndian) {
        encodings.push(new boolean[] {explicitVR, bigEndian});
    }

    public void popEncoding() {
        encodings.pop();
    }

    private void writeHeader(int tag, VR vr, long length, boolean explicit, boolean big) throws IOException {
        put16(0, tag >>> 16, big);
        put16(2, tag, big);
        int n;
        if (vr == null || Tag.group(tag) == 0xFFFE || !explicit) {
            put32(4, length, big);
            n = 8;
        } else if (vr.longHeader()) {
            hdr[4] = (byte) (vr.code() >>> 8);
            hdr[5] = (byte) vr.code();
            hdr[6] = 0;
            hdr[7] = 0;
            put32(8, length, big);
            n = 12;
        } else {
            hdr[4] = (byte) (vr.code() >>> 8);
            hdr[5] = (byte) vr.code();
            put16(6, (int) length, big);
            n = 8;
        }
        out.write(hdr, 0, n);
    }

    private void writeValue(Object value, VR vr, boolean srcBig, boolean big) throws IOException {
        boolean swap = srcBig != big && vr.swapUnit() > 1;
        if (value instanceof byte[] b) {
            out.write(swap ? ByteSwap.swapped(b, vr) : b);
        } else {
            BulkData d = (BulkData) value;
            try (InputStream in = d.openStream()) {
                copy(in, d.length(), vr, d.bigEndian() != big);
            }
        }
    }

    /** Copies {@code length} bytes of a value from a stream, swapping byte order unit by unit when asked. */
    public void copy(InputStream in, long length, VR vr, boolean swap) throws IOException {
        byte[] buf = new byte[65536];
        long left = length;
        int carry = 0;
        while (left > 0) {
            int n = in.read(buf, carry, (int) Math.min(buf.length - carry, left));
            if (n < 0) throw new IOException("value ended " + left + " bytes early");
            left -= n;
            int have = carry + n;
            int whole = swap ? have - have % vr.swapUnit() : have;
            if (left == 0) whole = have;
            if (swap) ByteSwap.swap(buf, 0, whole, vr.swapUnit());
            out.write(buf, 0, whole);
            carry = have - whole;
            System.arraycopy(buf, whole, buf, 0, carry);
        }
    }

    public void writeBytes(byte[] b) throws IOException {
        out.write(b);
    }

    private void writeInt(int v, boolean big) throws IOException {
        put32(0, v & 0xFFFFFFFFL, big);
        out.write(hdr, 0, 4);
    }

    // ---- encoded lengths, for sequences and items of defined length ----------------------

    private long sequenceContentLength(Sequence s, boolean explicit, boolean big) {
        long n = 0;
        for (Attributes item : s.items()) {
            n += 8 + itemContentLength(item, explicit, big) + (item.undefinedLength() ? 8 : 0);
        }
        return n;
    }

    private long itemContentLength(Attributes item, boolean explicit, boolean big) {
        long n = 0;
        for (DicomElement e : item) {
            if (removeGroupLengths && Tag.isGroupLength(e.tag()) && Tag.group(e.tag()) > 2) continue;
            n += elementLength(e, explicit, big);
        }
        return n;
    }

    private long elementLength(DicomElement e, boolean explicit, boolean big) {
        if (e.value() instanceof Sequence s) {
            boolean un = e.vr() == VR.UN;
            long content = sequenceContentLength(s, !un && explicit, !un && big);
            return (explicit ? 12 : 8) + content + (un || s.undefinedLength() ? 8 : 0);
        }
        if (e.value() instanceof Fragments f) {
            long n = (explicit ? 12 : 8) + 8;
            for (Object frag : f.items()) n += 8 + (frag instanceof byte[] b ? b.length : ((BulkData) frag).length());
            return n;
        }
        long len = e.valueLength();
        int header = !explicit ? 8 : headerVR(e.vr(), len, true).longHeader() ? 12 : 8;
        return header + len;
    }

    private void put16(int i, int v, boolean big) {
        if (big) {
            hdr[i] = (byte) (v >>> 8);
            hdr[i + 1] = (byte) v;
        } else {
            hdr[i] = (byte) v;
            hdr[i + 1] = (byte) (v >>> 8);
        }
    }

    private void put32(int i, long v, boolean big) {
        if (big) {
            put16(i, (int) (v >>> 16), true);
            put16(i + 2, (int) v, true);
        } else {
            put16(i, (int) v, false);
            put16(i + 2, (int) (v >>> 16), false);
        }
    }

    /** Completes the deflate stream if any and flushes; the underlying stream stays open. */
    public void finish() throws IOException {
        startDataSet(); // an empty deflated data set is still a complete deflate stream
        out.flush();
        if (deflaterStream != null) {
            deflaterStream.finish();
            // An odd-length deflate stream gets one NUL byte, which inflaters ignore: DICOM values and PDVs are even.
            if ((deflatedBytes & 1) != 0) {
                raw.write(0);
                deflatedBytes++;
            }
        }
        raw.flush();
    }

    @Override public void flush() throws IOException {
        out.flush();
    }

    @Override public void close() throws IOException {
        finish();
        raw.close();
        if (deflater != null) deflater.end();
    }
}
