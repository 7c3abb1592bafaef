package org.dicomrelay.it;

import org.dicomrelay.dicom.data.Attributes;
import org.dicomrelay.dicom.data.Tag;
import org.dicomrelay.dicom.data.TransferSyntax;
import org.dicomrelay.dicom.data.VR;
import org.dicomrelay.dicom.io.DicomFile;
import org.dicomrelay.dicom.io.FileMetaInformation;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;

/**
 * A generated study of small CT images (8×8 pixels, explicit VR little endian), for tests that
 * need many instances: a C-FIND with hundreds of matches, a C-MOVE with hundreds of
 * sub-operations. Instance k has InstanceNumber k and ImageComments "slice k".
 */
record SyntheticStudy(String studyUid, String seriesUid, List<Path> files) {

    static SyntheticStudy write(Path dir, int count, String patientName, String patientId) throws IOException {
        Files.createDirectories(dir);
        String root = "2.25." + new BigInteger(1, new SecureRandom().generateSeed(12));
        String study = root + ".1", series = root + ".2";
        List<Path> files = new ArrayList<>();
        for (int k = 1; k <= count; k++) {
            Attributes ds = new Attributes();
            ds.setString(Tag.SpecificCharacterSet, VR.CS, "ISO_IR 100");
            ds.setString(Tag.SOPClassUID, VR.UI, "1.2.840.10008.5.1.4.1.1.2");
            ds.setString(Tag.SOPInstanceUID, VR.UI, root + ".3." + k);
            ds.setString(0x00080020, VR.DA, "20260101");
            ds.setString(0x00080030, VR.TM, "120000");
            ds.setString(0x00080050, VR.SH, "ACC" + patientId);
            ds.setString(0x00080060, VR.CS, "CT");
            ds.setString(Tag.PatientName, VR.PN, patientName);
            ds.setString(Tag.PatientID, VR.LO, patientId);
            ds.setString(Tag.StudyInstanceUID, VR.UI, study);
            ds.setString(Tag.SeriesInstanceUID, VR.UI, series);
            ds.setString(0x00200010, VR.SH, "1");
            ds.setString(0x00200011, VR.IS, "1");
            ds.setString(0x00200013, VR.IS, String.valueOf(k));
            ds.setString(0x00204000, VR.LT, "slice " + k);
            ds.setInt(0x00280002, VR.US, 1);
            ds.setString(0x00280004, VR.CS, "MONOCHROME2");
            ds.setInt(0x00280010, VR.US, 8);
            ds.setInt(0x00280011, VR.US, 8);
            ds.setInt(0x00280100, VR.US, 16);
            ds.setInt(0x00280101, VR.US, 12);
            ds.setInt(0x00280102, VR.US, 11);
            ds.setInt(0x00280103, VR.US, 0);
            byte[] px = new byte[8 * 8 * 2];
            for (int i = 0; i < px.length; i += 2) px[i] = (byte) (k + i);
            ds.setBytes(Tag.PixelData, VR.OW, px);
            Path f = dir.resolve(String.format("ct-%04d.dcm", k));
            DicomFile.write(f, FileMetaInformation.of(ds, TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN.uid()), ds,
                    TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN);
            files.add(f);
        }
        return new SyntheticStudy(study, series, List.copyOf(files));
    }
}
