package org.dicomrelay.dicom.net.dimse;

import org.dicomrelay.dicom.data.Tag;
import org.dicomrelay.dicom.data.VR;

/**
 * The command elements of group 0000 with their VRs (PS3.7 Annex E, Table E.1-1; retired ones from
 * Table E.2-1 where their VR matters for reading old peers). A command set is always implicit VR, so
 * these VRs are what give its values meaning; the data dictionary is not consulted.
 */
public final class CommandTag {
    private CommandTag() {}

    public static final int CommandGroupLength = 0x00000000;
    public static final int AffectedSOPClassUID = 0x00000002;
    public static final int RequestedSOPClassUID = 0x00000003;
    public static final int CommandField = 0x00000100;
    public static final int MessageID = 0x00000110;
    public static final int MessageIDBeingRespondedTo = 0x00000120;
    public static final int MoveDestination = 0x00000600;
    public static final int Priority = 0x00000700;
    public static final int CommandDataSetType = 0x00000800;
    public static final int Status = 0x00000900;
    public static final int OffendingElement = 0x00000901;
    public static final int ErrorComment = 0x00000902;
    public static final int ErrorID = 0x00000903;
    public static final int AffectedSOPInstanceUID = 0x00001000;
    public static final int RequestedSOPInstanceUID = 0x00001001;
    public static final int EventTypeID = 0x00001002;
    public static final int AttributeIdentifierList = 0x00001005;
    public static final int ActionTypeID = 0x00001008;
    public static final int NumberOfRemainingSuboperations = 0x00001020;
    public static final int NumberOfCompletedSuboperations = 0x00001021;
    public static final int NumberOfFailedSuboperations = 0x00001022;
    public static final int NumberOfWarningSuboperations = 0x00001023;
    public static final int MoveOriginatorApplicationEntityTitle = 0x00001030;
    public static final int MoveOriginatorMessageID = 0x00001031;

    private record Entry(VR vr, String keyword) {}

    /** The VR of a command element, or null for one not in Annex E (kept as UN). */
    public static VR vrOf(int tag) {
        Entry e = entry(tag);
        return e == null ? null : e.vr;
    }

    /** "(0000,0110) MessageID", for error messages; tags not in Annex E get the tag alone. */
    public static String describe(int tag) {
        Entry e = entry(tag);
        return e == null ? Tag.toString(tag) : Tag.toString(tag) + " " + e.keyword;
    }

    private static Entry entry(int tag) {
        return switch (tag) {
            case CommandGroupLength -> new Entry(VR.UL, "CommandGroupLength");
            case 0x00000001 -> new Entry(VR.UL, "CommandLengthToEnd");
            case AffectedSOPClassUID -> new Entry(VR.UI, "AffectedSOPClassUID");
            case RequestedSOPClassUID -> new Entry(VR.UI, "RequestedSOPClassUID");
            case CommandField -> new Entry(VR.US, "CommandField");
            case MessageID -> new Entry(VR.US, "MessageID");
            case MessageIDBeingRespondedTo -> new Entry(VR.US, "MessageIDBeingRespondedTo");
            case 0x00000200 -> new Entry(VR.AE, "Initiator");
            case 0x00000300 -> new Entry(VR.AE, "Receiver");
            case 0x00000400 -> new Entry(VR.AE, "FindLocation");
            case MoveDestination -> new Entry(VR.AE, "MoveDestination");
            case Priority -> new Entry(VR.US, "Priority");
            case CommandDataSetType -> new Entry(VR.US, "CommandDataSetType");
            case 0x00000850 -> new Entry(VR.US, "NumberOfMatches");
            case 0x00000860 -> new Entry(VR.US, "ResponseSequenceNumber");
            case Status -> new Entry(VR.US, "Status");
            case OffendingElement -> new Entry(VR.AT, "OffendingElement");
            case ErrorComment -> new Entry(VR.LO, "ErrorComment");
            case ErrorID -> new Entry(VR.US, "ErrorID");
            case AffectedSOPInstanceUID -> new Entry(VR.UI, "AffectedSOPInstanceUID");
            case RequestedSOPInstanceUID -> new Entry(VR.UI, "RequestedSOPInstanceUID");
            case EventTypeID -> new Entry(VR.US, "EventTypeID");
            case AttributeIdentifierList -> new Entry(VR.AT, "AttributeIdentifierList");
            case ActionTypeID -> new Entry(VR.US, "ActionTypeID");
            case NumberOfRemainingSuboperations -> new Entry(VR.US, "NumberOfRemainingSuboperations");
            case NumberOfCompletedSuboperations -> new Entry(VR.US, "NumberOfCompletedSuboperations");
            case NumberOfFailedSuboperations -> new Entry(VR.US, "NumberOfFailedSuboperations");
            case NumberOfWarningSuboperations -> new Entry(VR.US, "NumberOfWarningSuboperations");
            case MoveOriginatorApplicationEntityTitle -> new Entry(VR.AE, "MoveOriginatorApplicationEntityTitle");
            case MoveOriginatorMessageID -> new Entry(VR.US, "MoveOriginatorMessageID");
            default -> null;
        };
    }
}
