package org.dicomrelay.dicom.net.dimse;

import org.dicomrelay.dicom.data.Attributes;

import java.util.List;
import java.util.Objects;

/**
 * C-ECHO-RSP (PS3.7 §9.3.5.2, Table 9.3-13). The standard allows no data set; {@link #hasDataSet()}
 * still reports what a peer announced, so that the association layer can read and drop it.
 */
public record CEchoRsp(int messageIdBeingRespondedTo, String affectedSopClassUid, Status status,
                       String errorComment, List<Integer> offendingElements, boolean hasDataSet) implements DimseResponse {

    public CEchoRsp {
        CommandWriter.checkMessageId("message ID being responded to", messageIdBeingRespondedTo);
        Objects.requireNonNull(status, "status");
        offendingElements = CommandWriter.tagList(offendingElements);
        affectedSopClassUid = CommandWriter.emptyToNull(affectedSopClassUid);
        errorComment = CommandWriter.emptyToNull(errorComment);
    }

    public CEchoRsp(int messageIdBeingRespondedTo, String affectedSopClassUid, Status status) {
        this(messageIdBeingRespondedTo, affectedSopClassUid, status, null, List.of(), false);
    }

    @Override public int commandField() { return CommandField.C_ECHO_RSP; }

    @Override public Attributes toCommand() {
        return new CommandWriter(CommandField.C_ECHO_RSP, hasDataSet)
                .string(CommandTag.AffectedSOPClassUID, affectedSopClassUid)
                .us(CommandTag.MessageIDBeingRespondedTo, messageIdBeingRespondedTo)
                .status(status, errorComment, offendingElements)
                .build();
    }

    public static CEchoRsp fromCommand(Attributes cmd) throws DimseFormatException {
        CommandReader r = new CommandReader(cmd, CommandField.C_ECHO_RSP);
        return new CEchoRsp(r.requiredUS(CommandTag.MessageIDBeingRespondedTo),
                r.optionalString(CommandTag.AffectedSOPClassUID), r.status(),
                r.optionalString(CommandTag.ErrorComment), r.tags(CommandTag.OffendingElement), r.hasDataSet());
    }
}
