package org.dicomrelay.router;

import org.dicomrelay.dicom.data.Tag;
import org.dicomrelay.dicom.data.TransferSyntax;
import org.dicomrelay.dicom.io.DicomInputStream;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
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
            for (DicomInputStream.Event e = dis.next(); e != DicomInputStream.Event.END; e = dis.next()) {
                boolean topLevel = switch (e) {
                    case ELEMENT -> dis.depth() == 0;
                    case SEQUENCE_START, FRAGMENTS_START -> dis.depth() == 1; // the opened container already counts
                    default -> false;
                };
                if (!topLevel) continue;
                if (Integer.compareUnsigned(dis.tag(), Tag.StudyInstanceUID) > 0) return null;
                if (e == DicomInputStream.Event.ELEMENT && dis.tag() == Tag.StudyInstanceUID) {
                    String uid = new String(dis.readValue(), StandardCharsets.US_ASCII).trim();
                    int nul = uid.indexOf('\0');
                    return (nul >= 0 ? uid.substring(0, nul) : uid).trim();
                }
            }
            return null;
        } catch (IOException | RuntimeException unparsable) {
            return null;
        }
    }
}
