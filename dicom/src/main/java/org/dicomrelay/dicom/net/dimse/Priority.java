package org.dicomrelay.dicom.net.dimse;

/** Values of Priority (0000,0700), PS3.7 §9.3.1.1 and Annex E. */
public enum Priority {
    MEDIUM(0x0000), HIGH(0x0001), LOW(0x0002);

    private final int code;

    Priority(int code) {
        this.code = code;
    }

    public int code() { return code; }

    /** The priority for a code, or null for one the standard does not define. */
    public static Priority of(int code) {
        for (Priority p : values()) if (p.code == code) return p;
        return null;
    }
}
