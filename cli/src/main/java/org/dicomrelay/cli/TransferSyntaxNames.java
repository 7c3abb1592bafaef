package org.dicomrelay.cli;

import org.dicomrelay.dicom.data.TransferSyntax;
import org.dicomrelay.dicom.data.UidDictionary;

/** The names dcmdump gives transfer syntaxes in its "# Used TransferSyntax:" lines. */
final class TransferSyntaxNames {
    private TransferSyntaxNames() {}

    /** The syntax the data set was read in; when that is not what the meta information declares, both. */
    static String of(TransferSyntax ts) {
        TransferSyntax declared = TransferSyntax.of(ts.uid());
        if (declared.explicitVR() != ts.explicitVR() || declared.bigEndian() != ts.bigEndian()) {
            return encoding(ts) + " (the meta information declares " + name(declared) + ")";
        }
        return name(ts);
    }

    private static String name(TransferSyntax ts) {
        if (ts.deflated()) return "Deflated Explicit VR Little Endian";
        if (ts.encapsulated() && !UidDictionary.nameOf(ts.uid()).isEmpty()) return UidDictionary.nameOf(ts.uid());
        if (ts.encapsulated()) return ts.uid();
        return encoding(ts);
    }

    private static String encoding(TransferSyntax ts) {
        return (ts.bigEndian() ? "Big Endian " : "Little Endian ") + (ts.explicitVR() ? "Explicit" : "Implicit");
    }
}
