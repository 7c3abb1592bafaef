package org.dicomrelay.dicom.net.dimse;

import java.io.IOException;

/**
 * A command set that breaks PS3.7: undecodable bytes, a missing or mistyped command element, or a
 * command this package does not handle. When the command field and message ID could be read they
 * are kept, so that the caller can answer the request with a failure status (e.g. 0211H
 * "Unrecognized operation") instead of aborting the association.
 */
public class DimseFormatException extends IOException {
    private final int commandField;
    private final int messageId;

    public DimseFormatException(String message) {
        this(message, -1, -1, null);
    }

    public DimseFormatException(String message, Throwable cause) {
        this(message, -1, -1, cause);
    }

    public DimseFormatException(String message, int commandField, int messageId) {
        this(message, commandField, messageId, null);
    }

    private DimseFormatException(String message, int commandField, int messageId, Throwable cause) {
        super(message, cause);
        this.commandField = commandField;
        this.messageId = messageId;
    }

    /** The Command Field (0000,0100) of the offending command, or -1 if it could not be read. */
    public int commandField() { return commandField; }

    /** The Message ID (0000,0110) of the offending request, or -1 if it could not be read. */
    public int messageId() { return messageId; }
}
