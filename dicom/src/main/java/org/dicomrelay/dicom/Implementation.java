package org.dicomrelay.dicom;

/** Who we are on the wire and in files (PS3.7 D.3.3.2, PS3.10 §7.1). */
public final class Implementation {
    private Implementation() {}

    /** A UUID-derived UID (PS3.5 §B.2), fixed for this implementation. */
    public static final String CLASS_UID = "2.25.1977408829538367034143387073531205619";

    /** At most 16 characters (SH). */
    public static final String VERSION_NAME = "DICOMRELAY_01";
}
