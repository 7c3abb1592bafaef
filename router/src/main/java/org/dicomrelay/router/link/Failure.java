package org.dicomrelay.router.link;

import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Locale;

/**
 * Whether a failure the performing router reports may pass (retry later) or will not (an
 * operator must act). It travels in the answer ({@link LinkMessage.Answer#failure()}) beside the
 * DICOM status, because the status alone cannot say it: A700 is both "the PACS is out of
 * resources" and "the PACS was unreachable".
 */
public enum Failure {
    /** The PACS unreachable or busy, a timeout, an aborted association, A7xx: retrying can succeed. */
    TRANSIENT,
    /** The PACS refused this object or this sender (A9xx, Cxxx, 0122, 0124, association rejected permanently). */
    PERMANENT;

    /** The value on the wire: "transient" or "permanent" (any other is refused by {@link LinkCodec}). */
    @JsonValue
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}
