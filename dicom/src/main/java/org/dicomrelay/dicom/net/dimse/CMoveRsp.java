package org.dicomrelay.dicom.net.dimse;

import org.dicomrelay.dicom.data.Attributes;

import java.util.List;
import java.util.Objects;

/**
 * C-MOVE-RSP (PS3.7 §9.3.4.2, Table 9.3-10). The data set, when present, is the Failed SOP Instance
 * UID List of a final response with failures (PS3.4 C.4.2.1.4.2).
 */
public record CMoveRsp(int messageIdBeingRespondedTo, String affectedSopClassUid, Status status,
                       SubOperations subOperations, String errorComment, List<Integer> offendingElements,
                       boolean hasDataSet) implements DimseResponse {

    public CMoveRsp {
        CommandWriter.checkMessageId("message ID being responded to", messageIdBeingRespondedTo);
        Objects.requireNonNull(status, "status");
        if (subOperations == null) subOperations = SubOperations.NONE;
        offendingElements = CommandWriter.tagList(offendingElements);
        affectedSopClassUid = CommandWriter.emptyToNull(affectedSopClassUid);
        errorComment = CommandWriter.emptyToNull(errorComment);
    }

    @Override public int commandField() { return CommandField.C_MOVE_RSP; }

    @Override public Attributes toCommand() {
        return new CommandWriter(CommandField.C_MOVE_RSP, hasDataSet)
                .string(CommandTag.AffectedSOPClassUID, affectedSopClassUid)
                .us(CommandTag.MessageIDBeingRespondedTo, messageIdBeingRespondedTo)
                .status(status, errorComment, offendingElements)
                .subOperations(subOperations)
                .build();
    }

    public static CMoveRsp fromCommand(Attributes cmd) throws DimseFormatException {
        CommandReader r = new CommandReader(cmd, CommandField.C_MOVE_RSP);
        return new CMoveRsp(r.requiredUS(CommandTag.MessageIDBeingRespondedTo),
                r.optionalString(CommandTag.AffectedSOPClassUID), r.status(), r.subOperations(),
                r.optionalString(CommandTag.ErrorComment), r.tags(CommandTag.OffendingElement), r.hasDataSet());
    }
}
