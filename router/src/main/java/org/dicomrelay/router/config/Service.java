package org.dicomrelay.router.config;

import java.util.Locale;

/** The DICOM services a route or device may carry. */
public enum Service {
    ECHO, STORE, FIND, MOVE, GET;

    public static Service parse(String s) {
        return valueOf(s.trim().toUpperCase(Locale.ROOT));
    }

    /** The service a DIMSE request command field belongs to, or null. */
    public static Service ofCommandField(int field) {
        return switch (field & 0x7FFF) {
            case 0x0030 -> ECHO;
            case 0x0001 -> STORE;
            case 0x0020 -> FIND;
            case 0x0021 -> MOVE;
            case 0x0010 -> GET;
            default -> null;
        };
    }

    @Override public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
