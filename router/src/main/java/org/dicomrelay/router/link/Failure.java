package org.dicomrelay.router.link;

import java.util.Locale;
import java.util.Optional;

/**
 * Whether a failure the performing router reports may pass (retry later) or will not (an
 * operator must act). It travels in the answering frame as {@link Frame#FAILURE} beside the
 * DICOM status, because the status alone cannot say it: A700 is both "the PACS is out of
 * resources" and "the PACS was unreachable".
 */
public enum Failure {
    /** The PACS unreachable or busy, a timeout, an aborted association, A7xx: retrying can succeed. */
    TRANSIENT,
    /** The PACS refused this object or this sender (A9xx, Cxxx, 0122, 0124, association rejected permanently). */
    PERMANENT;

    /** The value in the frame: "transient" or "permanent". */
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The failure class an answer carries, if the performing router knew it. */
    public static Optional<Failure> of(Frame answer) {
        String v = answer.string(Frame.FAILURE);
        if (v == null) return Optional.empty();
        for (Failure f : values()) if (f.wire().equals(v)) return Optional.of(f);
        return Optional.empty();
    }
}
