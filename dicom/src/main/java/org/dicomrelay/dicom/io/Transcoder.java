package org.dicomrelay.dicom.io;

import org.dicomrelay.dicom.data.ElementDictionary;
import org.dicomrelay.dicom.data.Tag;
import org.dicomrelay.dicom.data.TransferSyntax;
import org.dicomrelay.dicom.data.VR;
import org.dicomrelay.dicom.io.DicomInputStream.Event;

import java.io.IOException;
import java.util.ArrayDeque;

/**
 * Copies a data set from a parser to a writer event by event, so memory stays constant whatever
 * the size of the values. Between different syntaxes, sequences and items are rewritten with
 * undefined length (their byte lengths change and are not known in advance) and group lengths
 * are dropped; within one syntax everything is copied as it was.
 */
public final class Transcoder {
    private Transcoder() {}

    public static void transcode(DicomInputStream in, DicomOutputStream out) throws IOException {
        TransferSyntax src = in.transferSyntax(), dst = out.transferSyntax();
        boolean same = src.explicitVR() == dst.explicitVR() && src.bigEndian() == dst.bigEndian();
        if (!dst.isUncompressed() && !same) {
            throw new IOException("cannot transcode " + src.uid() + " to " + dst.uid() + ": encapsulated data is passed through, not converted");
        }
        if (src.encapsulated() && !same) {
            throw new IOException("cannot transcode encapsulated " + src.uid() + " to " + dst.uid());
        }
        ElementDictionary dict = ElementDictionary.standard();
        // Per open sequence/item: whether the writer must close it with a delimiter.
        ArrayDeque<Boolean> delimit = new ArrayDeque<>();
        // CP-246 sequences (UN, implicit little endian items) are written as SQ in the target encoding.
        ArrayDeque<Boolean> unSequence = new ArrayDeque<>();
        int reencode = 0;
        Event e;
        while ((e = in.next()) != Event.END) {
            switch (e) {
                case ELEMENT -> {
                    int tag = in.tag();
                    if ((!same || reencode > 0) && Tag.isGroupLength(tag) && Tag.group(tag) > 2) continue;
                    // Implicit VR sources carry no VR: the dictionary gives it (UN when unknown).
                    VR vr = in.vr() != null ? in.vr() : dict.vrOf(tag);
                    out.writeHeader(tag, vr, in.length());
                    out.copy(in.valueStream(), in.length(), vr, in.bigEndian() != dst.bigEndian());
                }
                case SEQUENCE_START, ITEM_START -> {
                    boolean un = e == Event.SEQUENCE_START && in.vr() == VR.UN;
                    if (e == Event.SEQUENCE_START) unSequence.push(un);
                    if (un && !same) reencode++;
                    boolean undefined = !same || reencode > 0 || in.currentUndefinedLength();
                    delimit.push(undefined);
                    if (e == Event.SEQUENCE_START) {
                        out.writeHeader(in.tag(), un && same ? VR.UN : VR.SQ, undefined ? -1 : in.length());
                        if (un && same) out.pushEncoding(false, false);
                    } else {
                        out.writeHeader(Tag.Item, null, undefined ? -1 : in.length());
                    }
                }
                case ITEM_END -> {
                    if (delimit.pop()) out.writeHeader(Tag.ItemDelimitationItem, null, 0);
                }
                case SEQUENCE_END -> {
                    if (delimit.pop()) out.writeHeader(Tag.SequenceDelimitationItem, null, 0);
                    if (unSequence.pop()) {
                        if (same) out.popEncoding();
                        else reencode--;
                    }
                }
                case FRAGMENTS_START -> out.writeHeader(in.tag(), in.vr(), -1);
                case FRAGMENT -> {
                    out.writeHeader(Tag.Item, null, in.length());
                    out.copy(in.valueStream(), in.length(), VR.OB, false);
                }
                case FRAGMENTS_END -> out.writeHeader(Tag.SequenceDelimitationItem, null, 0);
                default -> throw new IllegalStateException(e.toString());
            }
        }
        out.finish();
    }
}
