package org.dicomrelay.dicom.net.dimse;

import org.dicomrelay.dicom.data.Attributes;

import java.util.List;
import java.util.Objects;

/** C-GET-RQ (PS3.7 §9.3.3.1, Table 9.3-7). Always followed by the identifier of what to retrieve. */
public record CGetRq(int messageId, String affectedSopClassUid, Priority priority) implements DimseRequest {

    public CGetRq {
        CommandWriter.checkMessageId("message ID", messageId);
        CommandWriter.requireUid("affected SOP class UID", affectedSopClassUid);
        Objects.requireNonNull(priority, "priority");
    }

    @Override public int commandField() { return CommandField.C_GET_RQ; }

    @Override public boolean hasDataSet() { return true; }

    @Override public Attributes toCommand() {
        return new CommandWriter(CommandField.C_GET_RQ, true)
                .string(CommandTag.AffectedSOPClassUID, affectedSopClassUid)
                .us(CommandTag.MessageID, messageId)
                .us(CommandTag.Priority, priority.code())
                .build();
    }

    public static CGetRq fromCommand(Attributes cmd) throws DimseFormatException {
        CommandReader r = new CommandReader(cmd, CommandField.C_GET_RQ);
        r.requireDataSet(true);
        return new CGetRq(r.requiredUS(CommandTag.MessageID), r.requiredString(CommandTag.AffectedSOPClassUID), r.priority());
    }

    /** A response with {@code status} and the sub-operation counts. */
    public CGetRsp response(Status status, SubOperations subOperations) {
        return new CGetRsp(messageId, affectedSopClassUid, status, subOperations, null, List.of(), false);
    }
}
