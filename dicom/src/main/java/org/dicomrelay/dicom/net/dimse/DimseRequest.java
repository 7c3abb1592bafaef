package org.dicomrelay.dicom.net.dimse;

/** A DIMSE-C request that expects responses (every request but C-CANCEL-RQ). */
public sealed interface DimseRequest extends DimseMessage permits CEchoRq, CStoreRq, CFindRq, CMoveRq, CGetRq {

    /** Message ID (0000,0110). */
    int messageId();

    /** Affected SOP Class UID (0000,0002). */
    String affectedSopClassUid();
}
