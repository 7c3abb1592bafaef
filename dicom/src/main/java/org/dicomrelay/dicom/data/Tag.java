package org.dicomrelay.dicom.data;

/** Tags are plain ints, group in the high 16 bits (PS3.5 §7.1). This class holds the few that the encoders need. */
public final class Tag {
    private Tag() {}

    public static final int Item = 0xFFFEE000;
    public static final int ItemDelimitationItem = 0xFFFEE00D;
    public static final int SequenceDelimitationItem = 0xFFFEE0DD;
    public static final int FileMetaInformationGroupLength = 0x00020000;
    public static final int FileMetaInformationVersion = 0x00020001;
    public static final int MediaStorageSOPClassUID = 0x00020002;
    public static final int MediaStorageSOPInstanceUID = 0x00020003;
    public static final int TransferSyntaxUID = 0x00020010;
    public static final int ImplementationClassUID = 0x00020012;
    public static final int ImplementationVersionName = 0x00020013;
    public static final int SourceApplicationEntityTitle = 0x00020016;
    public static final int SpecificCharacterSet = 0x00080005;
    public static final int SOPClassUID = 0x00080016;
    public static final int SOPInstanceUID = 0x00080018;
    public static final int PatientName = 0x00100010;
    public static final int PatientID = 0x00100020;
    public static final int StudyInstanceUID = 0x0020000D;
    public static final int SeriesInstanceUID = 0x0020000E;
    public static final int PixelData = 0x7FE00010;
    public static final int FloatPixelData = 0x7FE00008;
    public static final int DoubleFloatPixelData = 0x7FE00009;
    public static final int ExtendedOffsetTable = 0x7FE00001;
    public static final int DataSetTrailingPadding = 0xFFFCFFFC;

    public static int group(int tag) { return tag >>> 16; }

    public static int element(int tag) { return tag & 0xFFFF; }

    public static boolean isPrivate(int tag) { return (group(tag) & 1) != 0; }

    /** A private creator element (gggg,0010-00FF) of an odd group. */
    public static boolean isPrivateCreator(int tag) {
        int e = element(tag);
        return isPrivate(tag) && e >= 0x10 && e <= 0xFF;
    }

    public static boolean isGroupLength(int tag) { return element(tag) == 0; }

    /** "(GGGG,EEEE)" as dcmdump prints it. */
    public static String toString(int tag) {
        return String.format("(%04X,%04X)", group(tag), element(tag));
    }

    /** "GGGGEEEE", the form of PS3.18 Annex F keys. */
    public static String toHex(int tag) {
        return String.format("%08X", tag);
    }
}
