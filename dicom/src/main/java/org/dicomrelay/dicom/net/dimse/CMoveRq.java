package org.dicomrelay.dicom.net.dimse;

import org.dicomrelay.dicom.data.Attributes;

import java.util.List;
import java.util.Objects;

/** C-MOVE-RQ (PS3.7 §9.3.4.1, Table 9.3-9). Always followed by the identifier of what to move. */
public record CMoveRq(int messageId, String affectedSopClassUid, Priority priority, String moveDestination)
        implements DimseRequest {

    public CMoveRq {
        CommandWriter.checkMessageId("message ID", messageId);
        CommandWriter.requireUid("affected SOP class UID", affectedSopClassUid);
        Objects.requireNonNull(priority, "priority");
        Objects.requireNonNull(moveDestination, "move destination");
        if (moveDestination.isBlank() || moveDestination.length() > 16) {
            throw new IllegalArgumentException("move destination must be an AE title of 1 to 16 characters: \"" + moveDestination + "\"");
        }
    }

    @Override public int commandField() { return CommandField.C_MOVE_RQ; }

    @Override public boolean hasDataSet() { return true; }

    @Override public Attributes toCommand() {
        return new CommandWriter(CommandField.C_MOVE_RQ, true)
                .string(CommandTag.AffectedSOPClassUID, affectedSopClassUid)
                .us(CommandTag.MessageID, messageId)
                .string(CommandTag.MoveDestination, moveDestination)
                .us(CommandTag.Priority, priority.code())
                .build();
    }

    public static CMoveRq fromCommand(Attributes cmd) throws DimseFormatException {
        CommandReader r = new CommandReader(cmd, CommandField.C_MOVE_RQ);
        r.requireDataSet(true);
        String destination = r.requiredString(CommandTag.MoveDestination);
        if (destination.length() > 16) throw r.error("Move Destination (0000,0600) is longer than 16 characters: \"" + destination + "\"");
        return new CMoveRq(r.requiredUS(CommandTag.MessageID), r.requiredString(CommandTag.AffectedSOPClassUID),
                r.priority(), destination);
    }

    /** A response with {@code status} and the sub-operation counts. */
    public CMoveRsp response(Status status, SubOperations subOperations) {
        return new CMoveRsp(messageId, affectedSopClassUid, status, subOperations, null, List.of(), false);
    }
}
