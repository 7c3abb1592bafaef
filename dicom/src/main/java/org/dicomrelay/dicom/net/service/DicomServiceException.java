package org.dicomrelay.dicom.net.service;

import org.dicomrelay.dicom.data.Attributes;
import org.dicomrelay.dicom.data.VR;

import java.io.IOException;

/**
 * A service handler's failure answered as a DIMSE status with an Error Comment (0000,0902), not as
 * an aborted association: thrown by an echo, store or query handler, {@link DimseServices} sends
 * {@link #status()} with the comment as the (final) response.
 */
public final class DicomServiceException extends IOException {
    private static final long serialVersionUID = 1L;
    /** Error Comment is LO: at most 64 characters (PS3.5 Table 6.2-1). */
    static final int MAX_COMMENT = 64;

    private final int status;

    public DicomServiceException(int status, String errorComment) {
        super(errorComment);
        this.status = status;
    }

    public int status() {
        return status;
    }

    /** The comment as it goes on the wire: LO, no backslash or control characters, 64 characters at most; null if blank. */
    public static String errorComment(String text) {
        if (text == null || text.isBlank()) return null;
        String s = text.replace('\\', '/').replaceAll("\\p{Cntrl}", " ").strip();
        return s.length() > MAX_COMMENT ? s.substring(0, MAX_COMMENT - 3) + "..." : s;
    }

    /** Command elements to add to a response: the Error Comment, or nothing when blank. */
    public static Attributes commentAttributes(String text) {
        Attributes c = new Attributes();
        String comment = errorComment(text);
        if (comment != null) c.setString(0x00000902, VR.LO, comment);
        return c;
    }

    /** This failure's Error Comment, as command elements. */
    public Attributes commentAttributes() {
        return commentAttributes(getMessage());
    }
}
