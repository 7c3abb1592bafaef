package org.dicomrelay.dicom.net.dimse;

import org.dicomrelay.dicom.data.Attributes;

import java.util.List;
import java.util.Objects;

/** C-FIND-RQ (PS3.7 §9.3.2.1, Table 9.3-3). Always followed by the identifier to match. */
public record CFindRq(int messageId, String affectedSopClassUid, Priority priority) implements DimseRequest {

    public CFindRq {
        CommandWriter.checkMessageId("message ID", messageId);
        CommandWriter.requireUid("affected SOP class UID", affectedSopClassUid);
        Objects.requireNonNull(priority, "priority");
    }

    @Override public int commandField() { return CommandField.C_FIND_RQ; }

    @Override public boolean hasDataSet() { return true; }

    @Override public Attributes toCommand() {
        return new CommandWriter(CommandField.C_FIND_RQ, true)
                .string(CommandTag.AffectedSOPClassUID, affectedSopClassUid)
                .us(CommandTag.MessageID, messageId)
                .us(CommandTag.Priority, priority.code())
                .build();
    }

    public static CFindRq fromCommand(Attributes cmd) throws DimseFormatException {
        CommandReader r = new CommandReader(cmd, CommandField.C_FIND_RQ);
        r.requireDataSet(true);
        return new CFindRq(r.requiredUS(CommandTag.MessageID), r.requiredString(CommandTag.AffectedSOPClassUID), r.priority());
    }

    /** A response with {@code status}; pending responses carry a match, so {@code hasDataSet} is true for them. */
    public CFindRsp response(Status status, boolean hasDataSet) {
        return new CFindRsp(messageId, affectedSopClassUid, status, null, List.of(), hasDataSet);
    }
}
