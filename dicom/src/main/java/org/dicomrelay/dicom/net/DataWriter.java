package org.dicomrelay.dicom.net;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/** Writes a data set, already encoded in the presentation context's transfer syntax, to a P-DATA stream. */
@FunctionalInterface
public interface DataWriter {
    void writeTo(OutputStream out) throws IOException;

    /**
     * Copies {@code in} to its end into {@code out} and returns the byte count. Into the P-DATA
     * stream of {@link #writeTo} each PDV is read straight from {@code in}: one read per PDV, no
     * buffer in between (where {@link InputStream#transferTo} would read 8 KiB at a time and copy).
     */
    static long transfer(InputStream in, OutputStream out) throws IOException {
        return out instanceof Association.PDVOutputStream pdvs ? pdvs.readFrom(in) : in.transferTo(out);
    }
}
