package org.dicomrelay.dicom.json;

import org.dicomrelay.dicom.data.Attributes;
import org.dicomrelay.dicom.data.DicomElement;
import org.dicomrelay.dicom.data.Sequence;
import org.dicomrelay.dicom.data.SpecificCharacterSet;
import org.dicomrelay.dicom.data.Tag;
import org.dicomrelay.dicom.data.VR;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * A data set reduced to what DICOM JSON can carry, by the steps a JSON round trip takes; the steps
 * that changed anything are recorded, which is what makes a round trip inexact.
 */
final class JsonCanonicalForm {

    enum Step {
        /** Group lengths are not written (F.2.2). */
        GROUP_LENGTH_DROPPED,
        /** A tag repeated in a malformed data set is written once, first occurrence (a JSON name appears once). */
        DUPLICATE_DROPPED,
        /** Text values are written without padding and insignificant spaces (F.2.3 via PS3.5 §6.2) and re-padded on reading. */
        INSIGNIFICANT_SPACES,
        /**
         * PN component groups without a name component (empty, or delimiters only as in "^^^^") are not
         * written (F.2.2), so trailing '=' and names of '^' only do not come back.
         */
        PN_EMPTY_GROUPS,
        /** ISO 2022 text is decoded to Unicode (JSON is UTF-8) and re-encoded; the escape sequences chosen may differ (PS3.5 §6.1.2.5.3). */
        ESCAPE_SEQUENCES,
        /** A UN of undefined length parsed as a sequence (CP-246) is written as SQ: F.2.2 has no item form for UN. */
        UN_SEQUENCE_AS_SQ
    }

    final Set<Step> steps = EnumSet.noneOf(Step.class);

    Attributes of(Attributes ds) {
        Attributes out = new Attributes(ds.bigEndian());
        List<DicomElement> kept = DicomJsonWriter.inJsonOrder(ds);
        int groupLengths = 0;
        for (DicomElement e : ds) if (Tag.isGroupLength(e.tag())) groupLengths++;
        if (groupLengths > 0) steps.add(Step.GROUP_LENGTH_DROPPED);
        if (kept.size() + groupLengths < ds.size()) steps.add(Step.DUPLICATE_DROPPED);
        for (DicomElement e : kept) out.add(element(ds, e));
        return out;
    }

    private DicomElement element(Attributes ds, DicomElement e) {
        if (e.value() instanceof Sequence s) {
            if (e.vr() != VR.SQ) steps.add(Step.UN_SEQUENCE_AS_SQ);
            List<Attributes> items = new ArrayList<>();
            for (Attributes item : s.items()) items.add(of(item));
            return new DicomElement(e.tag(), VR.SQ, new Sequence(items, s.undefinedLength()));
        }
        VR vr = e.vr();
        if (!vr.isString() || !(e.value() instanceof byte[] original)) return e;
        String[] values = ds.getStrings(e.tag());
        Step cause = null;
        if (vr == VR.PN) {
            String[] names = new String[values.length];
            for (int i = 0; i < values.length; i++) {
                String[] g = PersonNameGroups.split(values[i]);
                names[i] = PersonNameGroups.join(empty(g, 0), empty(g, 1), empty(g, 2));
            }
            if (!java.util.Arrays.equals(names, values)) cause = Step.PN_EMPTY_GROUPS;
            values = names;
        }
        byte[] b;
        if (values.length == 0 || values.length == 1 && values[0].isEmpty()) {
            b = new byte[0];
        } else {
            String joined = String.join("\\", values);
            SpecificCharacterSet cs = ds.specificCharacterSet();
            b = Attributes.pad(vr.kind() == VR.Kind.TEXT ? cs.encode(joined, vr) : joined.getBytes(StandardCharsets.ISO_8859_1), vr);
        }
        if (java.util.Arrays.equals(b, original)) return e;
        if (cause == null) {
            boolean escapes = new String(original, StandardCharsets.ISO_8859_1).indexOf('\u001b') >= 0;
            cause = escapes ? Step.ESCAPE_SEQUENCES : Step.INSIGNIFICANT_SPACES;
        }
        steps.add(cause);
        return new DicomElement(e.tag(), e.vr(), b);
    }

    /** Group i, or "" when it is absent or has no name component. */
    private static String empty(String[] groups, int i) {
        return i >= groups.length || PersonNameGroups.isEmpty(groups[i]) ? "" : groups[i];
    }
}
