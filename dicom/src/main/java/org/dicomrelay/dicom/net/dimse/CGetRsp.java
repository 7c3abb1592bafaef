package org.dicomrelay.dicom.net.dimse;

import org.dicomrelay.dicom.data.Attributes;

import java.util.List;
import java.util.Objects;

/**
 * C-GET-RSP (PS3.7 §9.3.3.2, Table 9.3-8). The data set, when present, is the Failed SOP Instance
 * UID List of a final response with failures (PS3.4 C.4.3.1.3.2).
 */
public record CGetRsp(int messageIdBeingRespondedTo, String affectedSopClassUid, Status status,
                      SubOperations subOperations, String errorComment, List<Integer> offendingElements,
                      boolean hasDataSet) implements DimseResponse {

    public CGetRsp {
        CommandWriter.checkMessageId("message ID being responded to", messageIdBeingRespondedTo);
        Objects.requireNonNull(status, "status");
        if (subOperations == null) subOperations = SubOperations.NONE;
        offendingElements = CommandWriter.tagList(offendingElements);
        affectedSopClassUid = CommandWriter.emptyToNull(affectedSopClassUid);
        errorComment = CommandWriter.emptyToNull(errorComment);
    }

    @Override public int commandField() { return CommandField.C_GET_RSP; }

    @Override public Attributes toCommand() {
        return new CommandWriter(CommandField.C_GET_RSP, hasDataSet)
                .string(CommandTag.AffectedSOPClassUID, affectedSopClassUid)
                .us(CommandTag.MessageIDBeingRespondedTo, messageIdBeingRespondedTo)
                .status(status, errorComment, offendingElements)
                .subOperations(subOperations)
                .build();
    }

    public static CGetRsp fromCommand(Attributes cmd) throws DimseFormatException {
        CommandReader r = new CommandReader(cmd, CommandField.C_GET_RSP);
        return new CGetRsp(r.requiredUS(CommandTag.MessageIDBeingRespondedTo),
                r.optionalString(CommandTag.AffectedSOPClassUID), r.status(), r.subOperations(),
                r.optionalString(CommandTag.ErrorComment), r.tags(CommandTag.OffendingElement), r.hasDataSet());
    }
}
