package org.dicomrelay.dicom.net.dimse;

import org.dicomrelay.dicom.data.Attributes;

import java.util.Objects;

/**
 * C-STORE-RQ (PS3.7 §9.3.1.1, Table 9.3-1). Always followed by the data set to store. The move
 * originator fields are present when the store is a sub-operation of a C-MOVE, null otherwise.
 */
public record CStoreRq(int messageId, String affectedSopClassUid, String affectedSopInstanceUid, Priority priority,
                       String moveOriginatorAeTitle, Integer moveOriginatorMessageId) implements DimseRequest {

    public CStoreRq {
        CommandWriter.checkMessageId("message ID", messageId);
        CommandWriter.requireUid("affected SOP class UID", affectedSopClassUid);
        CommandWriter.requireUid("affected SOP instance UID", affectedSopInstanceUid);
        Objects.requireNonNull(priority, "priority");
        moveOriginatorAeTitle = CommandWriter.emptyToNull(moveOriginatorAeTitle);
        if (moveOriginatorMessageId != null) CommandWriter.checkMessageId("move originator message ID", moveOriginatorMessageId);
    }

    /** A store that is not a C-MOVE sub-operation. */
    public CStoreRq(int messageId, String affectedSopClassUid, String affectedSopInstanceUid, Priority priority) {
        this(messageId, affectedSopClassUid, affectedSopInstanceUid, priority, null, null);
    }

    @Override public int commandField() { return CommandField.C_STORE_RQ; }

    @Override public boolean hasDataSet() { return true; }

    @Override public Attributes toCommand() {
        return new CommandWriter(CommandField.C_STORE_RQ, true)
                .string(CommandTag.AffectedSOPClassUID, affectedSopClassUid)
                .us(CommandTag.MessageID, messageId)
                .us(CommandTag.Priority, priority.code())
                .string(CommandTag.AffectedSOPInstanceUID, affectedSopInstanceUid)
                .string(CommandTag.MoveOriginatorApplicationEntityTitle, moveOriginatorAeTitle)
                .us(CommandTag.MoveOriginatorMessageID, moveOriginatorMessageId)
                .build();
    }

    public static CStoreRq fromCommand(Attributes cmd) throws DimseFormatException {
        CommandReader r = new CommandReader(cmd, CommandField.C_STORE_RQ);
        r.requireDataSet(true);
        return new CStoreRq(r.requiredUS(CommandTag.MessageID), r.requiredString(CommandTag.AffectedSOPClassUID),
                r.requiredString(CommandTag.AffectedSOPInstanceUID), r.priority(),
                r.optionalString(CommandTag.MoveOriginatorApplicationEntityTitle),
                r.optionalUS(CommandTag.MoveOriginatorMessageID));
    }

    /** The response with {@code status}, naming the same SOP class and instance. */
    public CStoreRsp response(Status status) {
        return new CStoreRsp(messageId, affectedSopClassUid, affectedSopInstanceUid, status);
    }
}
