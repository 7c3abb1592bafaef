package org.dicomrelay.dicom.io;

import java.io.IOException;

/** Malformed or truncated input, with the byte offset where the problem was found. */
public class DicomParseException extends IOException {
    private final long offset;

    public DicomParseException(long offset, String problem) {
        super("at offset " + offset + " (0x" + Long.toHexString(offset) + "): " + problem);
        this.offset = offset;
    }

    public long offset() { return offset; }
}
