package org.dicomrelay.cli;

import org.dicomrelay.dicom.data.Attributes;
import org.dicomrelay.dicom.data.DicomElement;
import org.dicomrelay.dicom.data.ElementDictionary;
import org.dicomrelay.dicom.data.Tag;
import org.dicomrelay.dicom.json.DicomJsonWriter;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;

/** Prints a query match: one DICOM JSON object per line, or short dcmdump-like lines. */
final class MatchPrinter {
    private final PrintWriter out;
    private final boolean json;
    private int n;

    MatchPrinter(PrintWriter out, boolean json) {
        this.out = out;
        this.json = json;
    }

    void print(Attributes match) throws IOException {
        n++;
        if (json) {
            StringWriter w = new StringWriter();
            new DicomJsonWriter().write(match, w);
            out.println(w.toString().replace("\n", ""));
            return;
        }
        out.println("# match " + n);
        for (DicomElement e : match) {
            String keyword = ElementDictionary.standard().keywordOf(e.tag());
            String value = e.vr().isString() ? "[" + String.join("\\", match.getStrings(e.tag())) + "]"
                    : e.value() instanceof byte[] b ? "(" + b.length + " bytes)" : "(sequence)";
            out.printf("%s %s %-40s # %s%n", Tag.toString(e.tag()), e.vr(), value, keyword);
        }
    }

    int count() { return n; }
}
