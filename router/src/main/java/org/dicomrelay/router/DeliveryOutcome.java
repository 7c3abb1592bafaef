package org.dicomrelay.router;

import org.dicomrelay.dicom.net.dimse.Status;

/**
 * What one delivery attempt of a spooled object means for it, by PS3.4 Annex B.2.3 (C-STORE
 * statuses) and by cause: delivered (success, or a warning: the object is stored), a transient
 * failure (retried with back-off) or a permanent refusal (dead-lettered at once: retrying the
 * same object would be refused the same way).
 */
public enum DeliveryOutcome {
    DELIVERED, TRANSIENT, PERMANENT;

    /** {@code failure} field values of a STORE_RSP frame: router B's own judgement of the cause. */
    static final String HINT_TRANSIENT = "transient", HINT_PERMANENT = "permanent";

    /**
     * The outcome of a C-STORE status. Transient: A7xx (Refused: Out of resources), 0213H (Resource
     * limitation), 0110H (Processing failure: the SCP could not, not would not), 0210H (Duplicate
     * invocation: a message ID clash, gone on the next association) and FE00H (Cancel).
     * Everything else that is not success or warning is a refusal of this object: A9xx (Data Set
     * does not match SOP Class), Cxxx (Cannot understand), 0122H (SOP Class not supported), 0124H
     * (Not authorized), 0211H/0212H and any code the standard does not assign.
     */
    public static DeliveryOutcome ofStoreStatus(int status) {
        Status s = Status.of(status);
        if (s.isSuccess() || s.isWarning()) return DELIVERED;
        if ((status & 0xFF00) == 0xA700) return TRANSIENT;
        if (status == Status.RESOURCE_LIMITATION.code() || status == Status.PROCESSING_FAILURE.code()
                || status == Status.DUPLICATE_INVOCATION.code() || s.isCancel()) return TRANSIENT;
        return PERMANENT;
    }

    /**
     * The outcome of router B's answer: a success or warning status is delivered whatever else the
     * answer says; otherwise router B's {@code failure} hint ("transient"/"permanent", when it knows
     * the cause, e.g. its PACS refused the connection) wins over the status alone.
     */
    public static DeliveryOutcome ofAnswer(int status, String failureHint) {
        DeliveryOutcome byStatus = ofStoreStatus(status);
        if (byStatus == DELIVERED) return DELIVERED;
        if (HINT_TRANSIENT.equals(failureHint)) return TRANSIENT;
        if (HINT_PERMANENT.equals(failureHint)) return PERMANENT;
        return byStatus;
    }
}
