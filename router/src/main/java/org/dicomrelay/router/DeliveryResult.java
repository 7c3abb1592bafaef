package org.dicomrelay.router;

/**
 * The result of one delivery attempt: its {@link DeliveryOutcome}, the remote C-STORE status when
 * there was one, and the reason in words (the error comment, or why no status came).
 */
record DeliveryResult(DeliveryOutcome outcome, Integer status, String reason) {

    static DeliveryResult delivered(int status) {
        return new DeliveryResult(DeliveryOutcome.DELIVERED, status, null);
    }

    /** No status: the destination, router B, the cloud or the Bridge could not be reached, or no answer came. */
    static DeliveryResult unreachable(String reason) {
        return new DeliveryResult(DeliveryOutcome.TRANSIENT, null, reason);
    }

    /** Router B's answer: a status, its error comment and its optional failure hint. */
    static DeliveryResult answered(int status, String error, String failureHint) {
        return new DeliveryResult(DeliveryOutcome.ofAnswer(status, failureHint), status, error);
    }

    /** "status A900H (Error: Data Set does not match SOP Class): comment", for records and logs. */
    String describe() {
        StringBuilder b = new StringBuilder();
        if (status != null) {
            b.append(String.format("status %04XH (%s)", status, org.dicomrelay.dicom.net.dimse.Status.of(status)
                    .meaning(org.dicomrelay.dicom.net.dimse.CommandField.C_STORE_RQ)));
        }
        if (reason != null && !reason.isBlank()) b.append(b.length() > 0 ? ": " : "").append(reason);
        return b.length() == 0 ? "no reason given" : b.toString();
    }
}
