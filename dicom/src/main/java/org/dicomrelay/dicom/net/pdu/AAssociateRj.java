package org.dicomrelay.dicom.net.pdu;

/** A-ASSOCIATE-RJ (PS3.8 §9.3.4, Table 9-21): result, source and reason. */
public record AAssociateRj(int result, int source, int reason) implements Pdu {
    public static final int RESULT_PERMANENT = 1;
    public static final int RESULT_TRANSIENT = 2;

    public static final int SOURCE_SERVICE_USER = 1;
    public static final int SOURCE_PROVIDER_ACSE = 2;
    public static final int SOURCE_PROVIDER_PRESENTATION = 3;

    // source 1 (service user)
    public static final int NO_REASON = 1;
    public static final int APPLICATION_CONTEXT_NAME_NOT_SUPPORTED = 2;
    public static final int CALLING_AE_TITLE_NOT_RECOGNIZED = 3;
    public static final int CALLED_AE_TITLE_NOT_RECOGNIZED = 7;
    // source 2 (ACSE)
    public static final int PROTOCOL_VERSION_NOT_SUPPORTED = 2;
    // source 3 (presentation)
    public static final int TEMPORARY_CONGESTION = 1;
    public static final int LOCAL_LIMIT_EXCEEDED = 2;

    @Override public String toString() {
        String src = switch (source) {
            case SOURCE_SERVICE_USER -> "service user";
            case SOURCE_PROVIDER_ACSE -> "service provider (ACSE)";
            case SOURCE_PROVIDER_PRESENTATION -> "service provider (presentation)";
            default -> "source " + source;
        };
        String why = switch (source * 16 + reason) {
            case SOURCE_SERVICE_USER * 16 + NO_REASON -> "no reason given";
            case SOURCE_SERVICE_USER * 16 + APPLICATION_CONTEXT_NAME_NOT_SUPPORTED -> "application context name not supported";
            case SOURCE_SERVICE_USER * 16 + CALLING_AE_TITLE_NOT_RECOGNIZED -> "calling AE title not recognized";
            case SOURCE_SERVICE_USER * 16 + CALLED_AE_TITLE_NOT_RECOGNIZED -> "called AE title not recognized";
            case SOURCE_PROVIDER_ACSE * 16 + 1 -> "no reason given";
            case SOURCE_PROVIDER_ACSE * 16 + PROTOCOL_VERSION_NOT_SUPPORTED -> "protocol version not supported";
            case SOURCE_PROVIDER_PRESENTATION * 16 + TEMPORARY_CONGESTION -> "temporary congestion";
            case SOURCE_PROVIDER_PRESENTATION * 16 + LOCAL_LIMIT_EXCEEDED -> "local limit exceeded";
            default -> "reason " + reason;
        };
        return "A-ASSOCIATE-RJ " + (result == RESULT_PERMANENT ? "permanent" : "transient") + ", " + src + ": " + why;
    }
}
