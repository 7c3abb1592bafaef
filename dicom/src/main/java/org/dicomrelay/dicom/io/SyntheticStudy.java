package org.dicomrelay.dicom.io;

import org.dicomrelay.dicom.data.Attributes;
import org.dicomrelay.dicom.data.Tag;
import org.dicomrelay.dicom.data.TransferSyntax;
import org.dicomrelay.dicom.data.VR;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;

/**
 * A synthetic CT study (no real patient) for the demo and the tests: fresh UUID-derived UIDs
 * (PS3.5 §B.2), a disc phantom per slice, instance k with InstanceNumber k and ImageComments
 * "slice k", explicit VR little endian PS3.10 files named ct-NNNN.dcm.
 */
public record SyntheticStudy(String studyUid, String seriesUid, List<Path> files) {

    /** Small images (8×8): for tests that need many instances rather than many bytes. */
    public static SyntheticStudy write(Path dir, int count, String patientName, String patientId) throws IOException {
        return write(dir, count, 8, patientName, patientId);
    }

    public static SyntheticStudy write(Path dir, int count, int size, String patientName, String patientId) throws IOException {
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
            ds.setInt(0x00280010, VR.US, size);
            ds.setInt(0x00280011, VR.US, size);
            ds.setInt(0x00280100, VR.US, 16);
            ds.setInt(0x00280101, VR.US, 12);
            ds.setInt(0x00280102, VR.US, 11);
            ds.setInt(0x00280103, VR.US, 0);
            ds.setBytes(Tag.PixelData, VR.OW, phantom(size, k));
            Path f = dir.resolve(String.format("ct-%04d.dcm", k));
            DicomFile.write(f, FileMetaInformation.of(ds, TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN.uid()), ds,
                    TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN);
            files.add(f);
        }
        return new SyntheticStudy(study, series, List.copyOf(files));
    }

    /** A disc that grows from slice to slice inside a fainter one: something to look at, different per slice. */
    private static byte[] phantom(int size, int slice) {
        byte[] px = new byte[size * size * 2];
        int c = size / 2, inner = size * size / 40 + slice * size / 16, outer = size * size / 6;
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                int r2 = (x - c) * (x - c) + (y - c) * (y - c);
                int v = r2 < inner ? 1000 : r2 < outer ? 300 : 0;
                px[2 * (y * size + x)] = (byte) v;
                px[2 * (y * size + x) + 1] = (byte) (v >> 8);
            }
        }
        return px;
    }
}
