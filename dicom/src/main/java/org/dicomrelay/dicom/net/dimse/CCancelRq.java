package org.dicomrelay.dicom.net.dimse;

import org.dicomrelay.dicom.data.Attributes;

/**
 * C-CANCEL-RQ (PS3.7 §9.3.2.3, §9.3.3.3, §9.3.4.3): cancels the C-FIND, C-GET or C-MOVE whose
 * message ID it names. It has no response of its own and never a data set.
 */
public record CCancelRq(int messageIdBeingRespondedTo) implements DimseMessage {

    public CCancelRq {
        CommandWriter.checkMessageId("message ID being responded to", messageIdBeingRespondedTo);
    }

    @Override public int commandField() { return CommandField.C_CANCEL_RQ; }

    @Override public boolean hasDataSet() { return false; }

    @Override public Attributes toCommand() {
        return new CommandWriter(CommandField.C_CANCEL_RQ, false)
                .us(CommandTag.MessageIDBeingRespondedTo, messageIdBeingRespondedTo)
                .build();
    }

    public static CCancelRq fromCommand(Attributes cmd) throws DimseFormatException {
        CommandReader r = new CommandReader(cmd, CommandField.C_CANCEL_RQ);
        r.requireDataSet(false);
        return new CCancelRq(r.requiredUS(CommandTag.MessageIDBeingRespondedTo));
    }
}
