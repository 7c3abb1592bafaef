package org.dicomrelay.dicom.net.dimse;

import org.dicomrelay.dicom.data.Attributes;

/** C-ECHO-RQ (PS3.7 §9.3.5.1, Table 9.3-12). Never has a data set. */
public record CEchoRq(int messageId, String affectedSopClassUid) implements DimseRequest {

    /** The Verification SOP Class. */
    public static final String VERIFICATION_SOP_CLASS = "1.2.840.10008.1.1";

    public CEchoRq {
        CommandWriter.checkMessageId("message ID", messageId);
        CommandWriter.requireUid("affected SOP class UID", affectedSopClassUid);
    }

    /** A C-ECHO-RQ of the Verification SOP Class. */
    public CEchoRq(int messageId) {
        this(messageId, VERIFICATION_SOP_CLASS);
    }

    @Override public int commandField() { return CommandField.C_ECHO_RQ; }

    @Override public boolean hasDataSet() { return false; }

    @Override public Attributes toCommand() {
        return new CommandWriter(CommandField.C_ECHO_RQ, false)
                .string(CommandTag.AffectedSOPClassUID, affectedSopClassUid)
                .us(CommandTag.MessageID, messageId)
                .build();
    }

    public static CEchoRq fromCommand(Attributes cmd) throws DimseFormatException {
        CommandReader r = new CommandReader(cmd, CommandField.C_ECHO_RQ);
        r.requireDataSet(false);
        return new CEchoRq(r.requiredUS(CommandTag.MessageID), r.requiredString(CommandTag.AffectedSOPClassUID));
    }

    /** The response with {@code status}. */
    public CEchoRsp response(Status status) {
        return new CEchoRsp(messageId, affectedSopClassUid, status);
    }
}
