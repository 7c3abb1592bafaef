package org.dicomrelay.dicom.net;

import java.io.IOException;

/** The association ended abnormally: rejected, aborted by either side, or the transport failed. */
public class AssociationException extends IOException {
    public AssociationException(String message) {
        super(message);
    }

    public AssociationException(String message, Throwable cause) {
        super(message, cause);
    }
}
