package org.dicomrelay.dicom.net.pdu;

import java.io.IOException;

/** A PDU that breaks PS3.8 §9.3; {@link #abortReason()} is the A-ABORT reason to send for it. */
public class PduFormatException extends IOException {
    private final int abortReason;

    public PduFormatException(int abortReason, String message) {
        super(message);
        this.abortReason = abortReason;
    }

    public int abortReason() { return abortReason; }
}
