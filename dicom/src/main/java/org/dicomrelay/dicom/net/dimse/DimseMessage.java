package org.dicomrelay.dicom.net.dimse;

import org.dicomrelay.dicom.data.Attributes;

/**
 * A DIMSE-C message's command set (PS3.7 §9.3), as an immutable value. The data set, if any,
 * travels separately; {@link #hasDataSet()} says whether one follows the command.
 */
public sealed interface DimseMessage permits DimseRequest, DimseResponse, CCancelRq {

    /** Command Data Set Type (0000,0800) meaning no data set follows ("Null", PS3.7 §9.3). */
    int DATA_SET_ABSENT = 0x0101;
    /** What this package writes when a data set follows; any value but 0101H means one does. */
    int DATA_SET_PRESENT = 0x0000;

    /** The Command Field (0000,0100), one of {@link CommandField}. */
    int commandField();

    /** Whether a data set follows the command (Command Data Set Type is not 0101H). */
    boolean hasDataSet();

    /** The command set, without Command Group Length: {@link CommandCodec#encode} computes it. */
    Attributes toCommand();

    /** "C-STORE-RQ" etc. */
    default String name() {
        return CommandField.name(commandField());
    }

    /**
     * The message a command set carries, by its Command Field.
     *
     * @throws DimseFormatException for a command this package does not handle (e.g. the N-services)
     *                              or one that lacks or mistypes an element its message requires
     */
    static DimseMessage fromCommand(Attributes command) throws DimseFormatException {
        int field = CommandReader.commandField(command);
        return switch (field) {
            case CommandField.C_ECHO_RQ -> CEchoRq.fromCommand(command);
            case CommandField.C_ECHO_RSP -> CEchoRsp.fromCommand(command);
            case CommandField.C_STORE_RQ -> CStoreRq.fromCommand(command);
            case CommandField.C_STORE_RSP -> CStoreRsp.fromCommand(command);
            case CommandField.C_FIND_RQ -> CFindRq.fromCommand(command);
            case CommandField.C_FIND_RSP -> CFindRsp.fromCommand(command);
            case CommandField.C_MOVE_RQ -> CMoveRq.fromCommand(command);
            case CommandField.C_MOVE_RSP -> CMoveRsp.fromCommand(command);
            case CommandField.C_GET_RQ -> CGetRq.fromCommand(command);
            case CommandField.C_GET_RSP -> CGetRsp.fromCommand(command);
            case CommandField.C_CANCEL_RQ -> CCancelRq.fromCommand(command);
            default -> throw new DimseFormatException(
                    (CommandField.isKnown(field) ? "unsupported command " : "") + CommandField.name(field),
                    field, CommandReader.messageIdOrMinusOne(command));
        };
    }
}
