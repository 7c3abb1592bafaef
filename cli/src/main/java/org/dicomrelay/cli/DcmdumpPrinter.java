package org.dicomrelay.cli;

import org.dicomrelay.dicom.data.Attributes;
import org.dicomrelay.dicom.data.DicomElement;
import org.dicomrelay.dicom.data.Fragments;
import org.dicomrelay.dicom.data.Sequence;
import org.dicomrelay.dicom.data.Tag;
import org.dicomrelay.dicom.data.VR;
import org.dicomrelay.dicom.io.DicomFile;

import java.io.PrintWriter;

/**
 * Prints a file in the layout of DCMTK's dcmdump, so that it reads as PACS engineers expect:
 * <pre>
 * (0008,0005) CS [ISO_IR 100]                             #  10, 1 SpecificCharacterSet
 * </pre>
 * tag, VR, value padded to 40 columns, then "#", length, value multiplicity and keyword; items
 * and their contents indented by two spaces per level, with dcmdump's delimitation lines.
 */
final class DcmdumpPrinter {
    private static final int VALUE_COLUMN = 40;

    private final PrintWriter out;

    DcmdumpPrinter(PrintWriter out) {
        this.out = out;
    }

    void print(DicomFile f) {
        out.println();
        if (f.meta() != null) {
            out.println("# Dicom-File-Format");
            out.println();
            out.println("# Dicom-Meta-Information-Header");
            out.println("# Used TransferSyntax: Little Endian Explicit");
            content(f.meta(), 0, true);
            out.println();
        }
        out.println("# Dicom-Data-Set");
        out.println("# Used TransferSyntax: " + TransferSyntaxNames.of(f.transferSyntax()));
        content(f.dataSet(), 0, f.transferSyntax().explicitVR());
    }

    private void content(Attributes ds, int level, boolean explicitVR) {
        for (DicomElement e : ds) {
            Object v = e.value();
            if (v instanceof Sequence s) {
                sequence(e, s, level, explicitVR && e.vr() != VR.UN);
            } else if (v instanceof Fragments f) {
                fragments(e, f, level);
            } else {
                DumpValue.Rendered r = DumpValue.of(ds, e);
                // dcmdump's "??": the VR of an implicit VR element the dictionary does not know.
                String vr = e.vr() == VR.UN && !explicitVR ? "??" : e.vr().name();
                line(level, e.tag(), vr, r.text(), Long.toString(e.valueLength()), r.vm(), ElementNames.of(e.tag()));
            }
        }
    }

    private void sequence(DicomElement e, Sequence s, int level, boolean itemsExplicit) {
        boolean undefined = s.undefinedLength();
        String length = undefined ? "u/l" : Long.toString(EncodedLength.ofSequence(s, itemsExplicit));
        line(level, e.tag(), "SQ", "(Sequence with " + (undefined ? "undefined" : "explicit") + " length #=" + s.items().size() + ")",
                length, 1, ElementNames.of(e.tag()));
        for (Attributes item : s.items()) {
            boolean itemUndefined = item.undefinedLength();
            line(level + 1, Tag.Item, "na", "(Item with " + (itemUndefined ? "undefined" : "explicit") + " length #=" + item.size() + ")",
                    itemUndefined ? "u/l" : Long.toString(EncodedLength.ofItem(item, itemsExplicit)), 1, "Item");
            content(item, level + 2, itemsExplicit);
            line(level + 1, Tag.ItemDelimitationItem, "na",
                    itemUndefined ? "(ItemDelimitationItem)" : "(ItemDelimitationItem for re-encoding)", "0", 0, "ItemDelimitationItem");
        }
        line(level, Tag.SequenceDelimitationItem, "na",
                undefined ? "(SequenceDelimitationItem)" : "(SequenceDelimitationItem for re-encod.)", "0", 0, "SequenceDelimitationItem");
    }

    private void fragments(DicomElement e, Fragments f, int level) {
        line(level, e.tag(), e.vr().name(), "(PixelSequence #=" + f.items().size() + ")", "u/l", 1, ElementNames.of(e.tag()));
        for (Object item : f.items()) {
            DumpValue.Rendered r = DumpValue.fragment(item);
            line(level + 1, Tag.Item, "pi", r.text(), Long.toString(EncodedLength.length(item)), 1, "Item");
        }
        line(level, Tag.SequenceDelimitationItem, "na", "(SequenceDelimitationItem)", "0", 0, "SequenceDelimitationItem");
    }

    private void line(int level, int tag, String vr, String value, String length, int vm, String name) {
        StringBuilder sb = new StringBuilder();
        sb.append("  ".repeat(level)).append(String.format("(%04x,%04x) ", Tag.group(tag), Tag.element(tag))).append(vr).append(' ');
        sb.append(value);
        for (int i = value.length(); i < VALUE_COLUMN; i++) sb.append(' ');
        sb.append(" #").append(String.format(" %3s,%2d ", length, vm)).append(name);
        out.println(sb);
    }
}
