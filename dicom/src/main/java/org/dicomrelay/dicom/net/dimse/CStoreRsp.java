package org.dicomrelay.dicom.net.dimse;

import org.dicomrelay.dicom.data.Attributes;

import java.util.List;
import java.util.Objects;

/** C-STORE-RSP (PS3.7 §9.3.1.2, Table 9.3-2). The affected SOP class and instance UIDs are optional (null). */
public record CStoreRsp(int messageIdBeingRespondedTo, String affectedSopClassUid, String affectedSopInstanceUid,
                        Status status, String errorComment, List<Integer> offendingElements,
                        boolean hasDataSet) implements DimseResponse {

    public CStoreRsp {
        CommandWriter.checkMessageId("message ID being responded to", messageIdBeingRespondedTo);
        Objects.requireNonNull(status, "status");
        offendingElements = CommandWriter.tagList(offendingElements);
        affectedSopClassUid = CommandWriter.emptyToNull(affectedSopClassUid);
        affectedSopInstanceUid = CommandWriter.emptyToNull(affectedSopInstanceUid);
        errorComment = CommandWriter.emptyToNull(errorComment);
    }

    public CStoreRsp(int messageIdBeingRespondedTo, String affectedSopClassUid, String affectedSopInstanceUid, Status status) {
        this(messageIdBeingRespondedTo, affectedSopClassUid, affectedSopInstanceUid, status, null, List.of(), false);
    }

    @Override public int commandField() { return CommandField.C_STORE_RSP; }

    @Override public Attributes toCommand() {
        return new CommandWriter(CommandField.C_STORE_RSP, hasDataSet)
                .string(CommandTag.AffectedSOPClassUID, affectedSopClassUid)
                .us(CommandTag.MessageIDBeingRespondedTo, messageIdBeingRespondedTo)
                .status(status, errorComment, offendingElements)
                .string(CommandTag.AffectedSOPInstanceUID, affectedSopInstanceUid)
                .build();
    }

    public static CStoreRsp fromCommand(Attributes cmd) throws DimseFormatException {
        CommandReader r = new CommandReader(cmd, CommandField.C_STORE_RSP);
        return new CStoreRsp(r.requiredUS(CommandTag.MessageIDBeingRespondedTo),
                r.optionalString(CommandTag.AffectedSOPClassUID), r.optionalString(CommandTag.AffectedSOPInstanceUID),
                r.status(), r.optionalString(CommandTag.ErrorComment), r.tags(CommandTag.OffendingElement), r.hasDataSet());
    }
}
