package org.dicomrelay.dicom.io;

import org.dicomrelay.dicom.Implementation;
import org.dicomrelay.dicom.data.Attributes;
import org.dicomrelay.dicom.data.Tag;
import org.dicomrelay.dicom.data.VR;

/** Builds the group 0002 elements of a PS3.10 file (PS3.10 §7.1). */
public final class FileMetaInformation {
    private FileMetaInformation() {}

    /** Version 00\01, the SOP class and instance, the transfer syntax, and our implementation's identity. */
    public static Attributes create(String sopClassUID, String sopInstanceUID, String transferSyntaxUID) {
        Attributes fmi = new Attributes(false);
        fmi.setBytes(Tag.FileMetaInformationVersion, VR.OB, new byte[] {0, 1});
        fmi.setString(Tag.MediaStorageSOPClassUID, VR.UI, sopClassUID);
        fmi.setString(Tag.MediaStorageSOPInstanceUID, VR.UI, sopInstanceUID);
        fmi.setString(Tag.TransferSyntaxUID, VR.UI, transferSyntaxUID);
        fmi.setString(Tag.ImplementationClassUID, VR.UI, Implementation.CLASS_UID);
        fmi.setString(Tag.ImplementationVersionName, VR.SH, Implementation.VERSION_NAME);
        return fmi;
    }

    /** Meta information for a data set, taking the SOP class and instance from it. */
    public static Attributes of(Attributes dataSet, String transferSyntaxUID) {
        String cuid = dataSet.getString(Tag.SOPClassUID);
        String iuid = dataSet.getString(Tag.SOPInstanceUID);
        return create(cuid == null ? "" : cuid, iuid == null ? "" : iuid, transferSyntaxUID);
    }
}
