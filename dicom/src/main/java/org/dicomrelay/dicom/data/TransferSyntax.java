package org.dicomrelay.dicom.data;

import java.util.Map;

/**
 * How a data set is encoded (PS3.5 §10). Any UID not listed is taken as explicit VR little endian
 * with encapsulated pixel data, which is what the standard requires of every other syntax
 * (PS3.5 §A.4): a relay must pass compressed data through untouched without knowing the codec.
 */
public record TransferSyntax(String uid, String name, boolean explicitVR, boolean bigEndian,
                             boolean deflated, boolean encapsulated) {

    public static final TransferSyntax IMPLICIT_VR_LITTLE_ENDIAN =
            new TransferSyntax("1.2.840.10008.1.2", "Implicit VR Little Endian", false, false, false, false);
    public static final TransferSyntax EXPLICIT_VR_LITTLE_ENDIAN =
            new TransferSyntax("1.2.840.10008.1.2.1", "Explicit VR Little Endian", true, false, false, false);
    public static final TransferSyntax DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN =
            new TransferSyntax("1.2.840.10008.1.2.1.99", "Deflated Explicit VR Little Endian", true, false, true, false);
    public static final TransferSyntax EXPLICIT_VR_BIG_ENDIAN =
            new TransferSyntax("1.2.840.10008.1.2.2", "Explicit VR Big Endian", true, true, false, false);

    private static final Map<String, TransferSyntax> UNCOMPRESSED = Map.of(
            IMPLICIT_VR_LITTLE_ENDIAN.uid, IMPLICIT_VR_LITTLE_ENDIAN,
            EXPLICIT_VR_LITTLE_ENDIAN.uid, EXPLICIT_VR_LITTLE_ENDIAN,
            DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN.uid, DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN,
            EXPLICIT_VR_BIG_ENDIAN.uid, EXPLICIT_VR_BIG_ENDIAN);

    /** The syntax for a UID; unknown UIDs are explicit VR little endian, encapsulated. */
    public static TransferSyntax of(String uid) {
        String u = uid.strip();
        int nul = u.indexOf('\0');
        if (nul >= 0) u = u.substring(0, nul);
        TransferSyntax ts = UNCOMPRESSED.get(u);
        if (ts != null) return ts;
        return new TransferSyntax(u, u, true, false, false, true);
    }

    /** True for the four syntaxes this toolkit can transcode among. */
    public boolean isUncompressed() {
        return !encapsulated;
    }
}
