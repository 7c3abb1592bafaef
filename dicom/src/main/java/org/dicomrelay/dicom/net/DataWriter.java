package org.dicomrelay.dicom.net;

import java.io.IOException;
import java.io.OutputStream;

/** Writes a data set, already encoded in the presentation context's transfer syntax, to a P-DATA stream. */
@FunctionalInterface
public interface DataWriter {
    void writeTo(OutputStream out) throws IOException;
}
