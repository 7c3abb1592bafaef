package org.dicomrelay.it;

import org.dicomrelay.dicom.data.Attributes;
import org.dicomrelay.dicom.data.Tag;
import org.dicomrelay.dicom.io.DicomFile;
import org.dicomrelay.dicom.net.service.StorageSource;
import org.dicomrelay.testkit.StoredFiles;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

/** What the tests compare of DICOM files. */
final class DataSets {
    private DataSets() {}

    /**
     * The data set's bytes, after the meta information; deflated ones inflated, since a writer may
     * add one NUL of padding after the deflate stream (PS3.5 §A.5) without changing the data set.
     */
    static byte[] bytes(Path file) throws IOException {
        StorageSource s = StorageSource.probe(file);
        try (InputStream in = s.openDataSet()) {
            byte[] b = in.readAllBytes();
            return s.transferSyntax().deflated() ? StoredFiles.inflate(b) : b;
        }
    }

    static Attributes read(Path file) throws IOException {
        return DicomFile.read(file).dataSet();
    }

    /**
     * The attributes without Data Set Trailing Padding (FFFC,FFFC), which PS3.10 §7.2 gives no
     * meaning and which DCMTK drops when it writes a data set (dcmqrscp, storescu).
     */
    static Attributes readWithoutPadding(Path file) throws IOException {
        Attributes a = read(file);
        a.remove(0xFFFCFFFC);
        return a;
    }

    static String transferSyntax(Path file) throws IOException {
        return StorageSource.probe(file).transferSyntax().uid();
    }

    static String sopInstanceUid(Path file) throws IOException {
        return StorageSource.probe(file).sopInstanceUid();
    }

    static String studyUid(Path file) throws IOException {
        return read(file).getString(Tag.StudyInstanceUID);
    }
}
