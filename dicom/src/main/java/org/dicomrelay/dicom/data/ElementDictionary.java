package org.dicomrelay.dicom.data;

// Temporary stand-in until the generated dictionary lands.
public final class ElementDictionary {
    private static final ElementDictionary STANDARD = new ElementDictionary();
    public static ElementDictionary standard() { return STANDARD; }
    public VR vrOf(int tag) {
        if (Tag.element(tag) == 0) return VR.UL;
        return switch (tag) {
            case 0x00020001, 0x00020102 -> VR.OB;
            case 0x00020002, 0x00020003, 0x00020010, 0x00020012, 0x00080016, 0x00080018, 0x0020000D, 0x0020000E -> VR.UI;
            case 0x00020013 -> VR.SH;
            case 0x00020016 -> VR.AE;
            case 0x00080005 -> VR.CS;
            case 0x00100010 -> VR.PN;
            case 0x00100020 -> VR.LO;
            case 0x7FE00010 -> VR.OW;
            case 0x00081140, 0x00081115 -> VR.SQ;
            default -> VR.UN;
        };
    }
    public int tagOf(String keyword) { return -1; }
    public String keywordOf(int tag) { return ""; }
}
