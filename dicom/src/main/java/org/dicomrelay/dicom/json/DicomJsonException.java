package org.dicomrelay.dicom.json;

import java.io.IOException;

/**
 * JSON that is not DICOM JSON (PS3.18 Annex F), or a data set that DICOM JSON cannot represent.
 * {@link #offset()} is the character offset in the JSON text where the problem was found, or -1
 * when the problem is not tied to a position (e.g. while writing).
 */
public class DicomJsonException extends IOException {
    private final long offset;

    public DicomJsonException(String problem) {
        super(problem);
        this.offset = -1;
    }

    public DicomJsonException(long offset, String problem) {
        super("at character " + offset + ": " + problem);
        this.offset = offset;
    }

    public long offset() { return offset; }
}
