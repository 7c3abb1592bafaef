package org.dicomrelay.router;

import org.dicomrelay.dicom.data.Tag;
import org.dicomrelay.dicom.data.TransferSyntax;
import org.dicomrelay.dicom.io.DataSetReader;
import org.dicomrelay.dicom.io.DicomInputStream;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Study Instance UID (0020,000D) of a spooled data set, for operators (list and act per study):
 * the data set is read only up to that element, so a large object costs a few kilobytes.
 */
final class StudyUidReader {
    private StudyUidReader() {}

    /** The UID, or null when the data set has none or cannot be parsed (it is relayed all the same). */
    static String read(Path dataSet, String transferSyntaxUid) {
        try (InputStream in = Files.newInputStream(dataSet);
             DicomInputStream dis = new DicomInputStream(in, TransferSyntax.of(transferSyntaxUid))) {
            return new DataSetReader(dis).readUntil(Tag.StudyInstanceUID + 1).getString(Tag.StudyInstanceUID);
        } catch (IOException | RuntimeException unparsable) {
            return null;
        }
    }
}
