package org.dicomrelay.cli;

import org.dicomrelay.dicom.data.Attributes;
import org.dicomrelay.dicom.data.BulkData;
import org.dicomrelay.dicom.data.DicomElement;
import org.dicomrelay.dicom.data.Fragments;
import org.dicomrelay.dicom.data.Sequence;
import org.dicomrelay.dicom.data.VR;

/**
 * Encoded lengths of sequences and items (PS3.5 §7.1, §7.5), which the data model does not keep:
 * dcmdump shows them for sequences and items of defined length.
 */
final class EncodedLength {
    private EncodedLength() {}

    private static final int ITEM_HEADER = 8, DELIMITER = 8;

    static long ofSequence(Sequence s, boolean explicitVR) {
        long n = 0;
        for (Attributes item : s.items()) n += ITEM_HEADER + ofItem(item, explicitVR) + (item.undefinedLength() ? DELIMITER : 0);
        return n;
    }

    static long ofItem(Attributes item, boolean explicitVR) {
        long n = 0;
        for (DicomElement e : item) n += ofElement(e, explicitVR);
        return n;
    }

    private static long ofElement(DicomElement e, boolean explicitVR) {
        long header = !explicitVR ? 8 : e.vr().longHeader() ? 12 : 8;
        Object v = e.value();
        if (v instanceof Sequence s) {
            boolean itemsExplicit = explicitVR && e.vr() != VR.UN; // CP-246: items of a UN sequence are implicit VR
            return header + ofSequence(s, itemsExplicit) + (s.undefinedLength() ? DELIMITER : 0);
        }
        if (v instanceof Fragments f) return header + ofFragments(f) + DELIMITER;
        return header + e.valueLength();
    }

    static long ofFragments(Fragments f) {
        long n = 0;
        for (Object item : f.items()) n += ITEM_HEADER + length(item);
        return n;
    }

    static long length(Object byteValue) {
        return byteValue instanceof byte[] b ? b.length : ((BulkData) byteValue).length();
    }
}
