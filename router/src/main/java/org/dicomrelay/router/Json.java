package org.dicomrelay.router;

import org.dicomrelay.dicom.data.Attributes;
import org.dicomrelay.dicom.json.DicomJsonReader;
import org.dicomrelay.dicom.json.DicomJsonWriter;

import java.io.IOException;
import java.io.StringWriter;

/** Identifiers travel between routers as DICOM JSON (PS3.18 Annex F): character sets resolved, no byte order. */
final class Json {
    private Json() {}

    static String of(Attributes a) throws IOException {
        StringWriter w = new StringWriter();
        new DicomJsonWriter().write(a, w);
        return w.toString();
    }

    static Attributes parse(String json) throws IOException {
        return new DicomJsonReader().read(json);
    }
}
