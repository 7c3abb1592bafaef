package org.dicomrelay.dicom.net.dimse;

/**
 * The value of Status (0000,0900): its type by PS3.7 Annex C, and its meaning from the general
 * codes of PS3.7 Annex C and the service-specific tables of PS3.4 (C-STORE Table B.2-1, C-FIND
 * Table C.4-1, C-MOVE Table C.4-2, C-GET Table C.4-3).
 *
 * <p>Any code the standard does not assign is taken as a failure: a relay must never report
 * success for a status it does not understand.
 */
public record Status(int code) {

    /** The status types of PS3.7 Annex C. */
    public enum Type { SUCCESS, PENDING, CANCEL, WARNING, FAILURE }

    public static final Status SUCCESS = new Status(0x0000);
    public static final Status WARNING = new Status(0x0001);
    public static final Status PENDING = new Status(0xFF00);
    public static final Status PENDING_OPTIONAL_KEYS_NOT_SUPPORTED = new Status(0xFF01);
    public static final Status CANCEL = new Status(0xFE00);

    public static final Status PROCESSING_FAILURE = new Status(0x0110);
    public static final Status NO_SUCH_SOP_INSTANCE = new Status(0x0112);
    public static final Status SOP_CLASS_NOT_SUPPORTED = new Status(0x0122);
    public static final Status NOT_AUTHORIZED = new Status(0x0124);
    public static final Status DUPLICATE_INVOCATION = new Status(0x0210);
    public static final Status UNRECOGNIZED_OPERATION = new Status(0x0211);
    public static final Status MISTYPED_ARGUMENT = new Status(0x0212);
    public static final Status RESOURCE_LIMITATION = new Status(0x0213);

    public static final Status OUT_OF_RESOURCES = new Status(0xA700);
    public static final Status OUT_OF_RESOURCES_UNABLE_TO_CALCULATE_NUMBER_OF_MATCHES = new Status(0xA701);
    public static final Status OUT_OF_RESOURCES_UNABLE_TO_PERFORM_SUB_OPERATIONS = new Status(0xA702);
    public static final Status MOVE_DESTINATION_UNKNOWN = new Status(0xA801);
    public static final Status DATA_SET_DOES_NOT_MATCH_SOP_CLASS = new Status(0xA900);
    public static final Status CANNOT_UNDERSTAND = new Status(0xC000);
    /** C-STORE: coercion of data elements; C-MOVE and C-GET: sub-operations complete with one or more failures. */
    public static final Status B000 = new Status(0xB000);
    public static final Status COERCION_OF_DATA_ELEMENTS = B000;
    public static final Status SUB_OPERATIONS_COMPLETE_ONE_OR_MORE_FAILURES = B000;
    public static final Status ELEMENTS_DISCARDED = new Status(0xB006);
    public static final Status DATA_SET_DOES_NOT_MATCH_SOP_CLASS_WARNING = new Status(0xB007);

    public Status {
        if (code < 0 || code > 0xFFFF) throw new IllegalArgumentException("status code out of the US range: " + code);
    }

    public static Status of(int code) {
        return new Status(code);
    }

    public Type type() {
        if (code == 0x0000) return Type.SUCCESS;
        if (code == 0xFF00 || code == 0xFF01) return Type.PENDING;
        if (code == 0xFE00) return Type.CANCEL;
        // PS3.7 C.4: 0001H and Bxxx, and for the N-services 0107H and 0116H.
        if (code == 0x0001 || code == 0x0107 || code == 0x0116 || (code & 0xF000) == 0xB000) return Type.WARNING;
        return Type.FAILURE;
    }

    public boolean isSuccess() { return type() == Type.SUCCESS; }

    public boolean isPending() { return type() == Type.PENDING; }

    public boolean isWarning() { return type() == Type.WARNING; }

    public boolean isCancel() { return type() == Type.CANCEL; }

    public boolean isFailure() { return type() == Type.FAILURE; }

    /** A final response: anything but pending (PS3.7 §9.1.2.1.6, §9.1.3.1.6, §9.1.4.1.7). */
    public boolean isFinal() { return !isPending(); }

    /**
     * The standard's text for this code, whatever the service. Where services give one code different
     * meanings (B000H, Cxxx), both are given, each with its service.
     */
    public String meaning() {
        return meaning(-1);
    }

    /**
     * The standard's text for this code in the service of {@code commandField} (the request's or the
     * response's, e.g. {@link CommandField#C_MOVE_RSP}); -1 or an N-service: as {@link #meaning()}.
     */
    public String meaning(int commandField) {
        String general = generalMeaning(code);
        if (general != null) return general;
        int service = commandField < 0 ? -1 : commandField & 0x7FFF;
        boolean store = service == CommandField.C_STORE_RQ;
        boolean find = service == CommandField.C_FIND_RQ;
        boolean retrieve = service == CommandField.C_MOVE_RQ || service == CommandField.C_GET_RQ;
        boolean any = !store && !find && !retrieve;
        switch (code) {
            case 0x0000:
                if (find) return "Success: Matching is complete";
                if (retrieve) return "Success: Sub-operations complete – No failures";
                return "Success";
            case 0xFF00:
                if (find) return "Pending: Matches are continuing";
                if (retrieve) return "Pending: Sub-operations are continuing";
                return "Pending";
            case 0xFF01:
                return "Pending – optional keys not supported";
            case 0xFE00:
                if (find) return "Cancel: Matching terminated due to Cancel request";
                if (retrieve) return "Cancel: Sub-operations terminated due to Cancel indication";
                return "Cancel";
            case 0xB000:
                if (store) return "Coercion of data elements";
                if (retrieve) return "Sub-operations complete – One or more failures";
                return "Coercion of data elements (C-STORE); Sub-operations complete – One or more failures (C-MOVE, C-GET)";
            case 0xB006:
                return "Elements discarded";
            case 0xB007:
                return "Data Set does not match SOP Class";
            case 0xA701:
                return "Refused: Out of resources – Unable to calculate number of matches";
            case 0xA702:
                return "Refused: Out of resources – Unable to perform sub-operations";
            case 0xA801:
                return "Refused: Move Destination unknown";
            default:
                break;
        }
        int range = code & 0xFF00;
        if (range == 0xA700) return "Refused: Out of resources";
        if (range == 0xA900) return "Error: Data Set does not match SOP Class";
        if ((code & 0xF000) == 0xC000) {
            if (store) return "Error: Cannot understand";
            if (!any) return "Failed: Unable to process";
            return "Error: Cannot understand (C-STORE); Failed: Unable to process (C-FIND, C-MOVE, C-GET)";
        }
        if ((code & 0xF000) == 0xB000) return "Warning";
        if ((code & 0xF000) == 0xA000) return "Failure";
        return "Unrecognized status";
    }

    /** The service-independent codes of PS3.7 Annex C. */
    private static String generalMeaning(int code) {
        return switch (code) {
            case 0x0001 -> "Warning";
            case 0x0105 -> "No such attribute";
            case 0x0106 -> "Invalid attribute value";
            case 0x0107 -> "Attribute list error";
            case 0x0110 -> "Processing failure";
            case 0x0111 -> "Duplicate SOP Instance";
            case 0x0112 -> "No such SOP Instance";
            case 0x0113 -> "No such event type";
            case 0x0114 -> "No such argument";
            case 0x0115 -> "Invalid argument value";
            case 0x0116 -> "Attribute value out of range";
            case 0x0117 -> "Invalid SOP Instance";
            case 0x0118 -> "No such SOP Class";
            case 0x0119 -> "Class-Instance conflict";
            case 0x0120 -> "Missing attribute";
            case 0x0121 -> "Missing attribute value";
            case 0x0122 -> "Refused: SOP Class not supported";
            case 0x0123 -> "No such action";
            case 0x0124 -> "Refused: Not authorized";
            case 0x0210 -> "Duplicate invocation";
            case 0x0211 -> "Unrecognized operation";
            case 0x0212 -> "Mistyped argument";
            case 0x0213 -> "Resource limitation";
            default -> null;
        };
    }

    /** "A801H Failure: Refused: Move Destination unknown", for logs. */
    @Override public String toString() {
        String t = type().name();
        return String.format("%04XH %s%s: %s", code, t.charAt(0), t.substring(1).toLowerCase(java.util.Locale.ROOT), meaning());
    }
}
