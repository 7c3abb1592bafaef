package org.dicomrelay.dicom.data;

/**
 * The 34 value representations of PS3.5 §6.2, with what the encoders need to know about each:
 * the explicit-VR header form (Table 7.1-1/7.1-2), the padding byte, and the byte-swap unit
 * for big endian.
 */
public enum VR {
    AE(Kind.STRING, false, ' ', 1), AS(Kind.STRING, false, ' ', 1), AT(Kind.BINARY, false, 0, 2),
    CS(Kind.STRING, false, ' ', 1), DA(Kind.STRING, false, ' ', 1), DS(Kind.STRING, false, ' ', 1),
    DT(Kind.STRING, false, ' ', 1), FD(Kind.BINARY, false, 0, 8), FL(Kind.BINARY, false, 0, 4),
    IS(Kind.STRING, false, ' ', 1), LO(Kind.TEXT, false, ' ', 1), LT(Kind.TEXT, false, ' ', 1),
    OB(Kind.BINARY, true, 0, 1), OD(Kind.BINARY, true, 0, 8), OF(Kind.BINARY, true, 0, 4),
    OL(Kind.BINARY, true, 0, 4), OV(Kind.BINARY, true, 0, 8), OW(Kind.BINARY, true, 0, 2),
    PN(Kind.TEXT, false, ' ', 1), SH(Kind.TEXT, false, ' ', 1), SL(Kind.BINARY, false, 0, 4),
    SQ(Kind.SEQUENCE, true, 0, 1), SS(Kind.BINARY, false, 0, 2), ST(Kind.TEXT, false, ' ', 1),
    SV(Kind.BINARY, true, 0, 8), TM(Kind.STRING, false, ' ', 1), UC(Kind.TEXT, true, ' ', 1),
    UI(Kind.STRING, false, 0, 1), UL(Kind.BINARY, false, 0, 4), UN(Kind.BINARY, true, 0, 1),
    UR(Kind.STRING, true, ' ', 1), US(Kind.BINARY, false, 0, 2), UT(Kind.TEXT, true, ' ', 1),
    UV(Kind.BINARY, true, 0, 8);

    /** How a value is interpreted. TEXT values are subject to the specific character set. */
    public enum Kind { STRING, TEXT, BINARY, SEQUENCE }

    private final Kind kind;
    private final boolean longHeader;
    private final byte padding;
    private final int swapUnit;
    private final int code;

    VR(Kind kind, boolean longHeader, int padding, int swapUnit) {
        this.kind = kind;
        this.longHeader = longHeader;
        this.padding = (byte) padding;
        this.swapUnit = swapUnit;
        this.code = (name().charAt(0) << 8) | name().charAt(1);
    }

    public Kind kind() { return kind; }

    /** Explicit VR: true when the header has 2 reserved bytes and a 32-bit length (PS3.5 Table 7.1-1). */
    public boolean longHeader() { return longHeader; }

    /** Byte used to pad an odd-length value to even length (PS3.5 §6.2): NUL for UI and binary, space for text. */
    public byte padding() { return padding; }

    /** Size of the unit whose bytes are reversed when changing endianness; 1 means no swapping. */
    public int swapUnit() { return swapUnit; }

    /** The two ASCII bytes as a big-endian 16-bit number, as they appear on the wire. */
    public int code() { return code; }

    public boolean isString() { return kind == Kind.STRING || kind == Kind.TEXT; }

    /** Values of these VRs are single-valued even if they contain a backslash (PS3.5 §6.2). */
    public boolean isSingleValuedText() { return this == LT || this == ST || this == UT || this == UR; }

    private static final VR[] BY_CODE = new VR[1 << 16];
    static {
        for (VR vr : values()) BY_CODE[vr.code] = vr;
    }

    /** The VR for two wire bytes, or null when they name no VR. */
    public static VR ofCode(int code) {
        return BY_CODE[code & 0xFFFF];
    }
}
