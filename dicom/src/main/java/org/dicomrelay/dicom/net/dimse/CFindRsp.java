package org.dicomrelay.dicom.net.dimse;

import org.dicomrelay.dicom.data.Attributes;

import java.util.List;
import java.util.Objects;

/** C-FIND-RSP (PS3.7 §9.3.2.2, Table 9.3-4). A pending response is followed by a matching identifier. */
public record CFindRsp(int messageIdBeingRespondedTo, String affectedSopClassUid, Status status,
                       String errorComment, List<Integer> offendingElements, boolean hasDataSet) implements DimseResponse {

    public CFindRsp {
        CommandWriter.checkMessageId("message ID being responded to", messageIdBeingRespondedTo);
        Objects.requireNonNull(status, "status");
        offendingElements = CommandWriter.tagList(offendingElements);
        affectedSopClassUid = CommandWriter.emptyToNull(affectedSopClassUid);
        errorComment = CommandWriter.emptyToNull(errorComment);
    }

    @Override public int commandField() { return CommandField.C_FIND_RSP; }

    @Override public Attributes toCommand() {
        return new CommandWriter(CommandField.C_FIND_RSP, hasDataSet)
                .string(CommandTag.AffectedSOPClassUID, affectedSopClassUid)
                .us(CommandTag.MessageIDBeingRespondedTo, messageIdBeingRespondedTo)
                .status(status, errorComment, offendingElements)
                .build();
    }

    public static CFindRsp fromCommand(Attributes cmd) throws DimseFormatException {
        CommandReader r = new CommandReader(cmd, CommandField.C_FIND_RSP);
        return new CFindRsp(r.requiredUS(CommandTag.MessageIDBeingRespondedTo),
                r.optionalString(CommandTag.AffectedSOPClassUID), r.status(),
                r.optionalString(CommandTag.ErrorComment), r.tags(CommandTag.OffendingElement), r.hasDataSet());
    }
}
