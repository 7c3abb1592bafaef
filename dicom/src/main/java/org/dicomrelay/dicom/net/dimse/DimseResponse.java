package org.dicomrelay.dicom.net.dimse;

import java.util.List;

/** A DIMSE-C response, with the status fields of PS3.7 Annex C. */
public sealed interface DimseResponse extends DimseMessage permits CEchoRsp, CStoreRsp, CFindRsp, CMoveRsp, CGetRsp {

    /** Message ID Being Responded To (0000,0120). */
    int messageIdBeingRespondedTo();

    /** Affected SOP Class UID (0000,0002), optional in responses: null when absent. */
    String affectedSopClassUid();

    /** Status (0000,0900). */
    Status status();

    /** Error Comment (0000,0902), or null. */
    String errorComment();

    /** Offending Element (0000,0901) tags; empty when absent. */
    List<Integer> offendingElements();
}
