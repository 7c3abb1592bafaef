package org.dicomrelay.dicom.net.service;

import org.dicomrelay.dicom.data.Attributes;
import org.dicomrelay.dicom.data.Tag;
import org.dicomrelay.dicom.data.TransferSyntax;
import org.dicomrelay.dicom.io.DataSetReader;
import org.dicomrelay.dicom.io.DicomInputStream;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A file to send with C-STORE: what it is (SOP class and instance, transfer syntax) and where its
 * data set starts, so that the bytes can be sent exactly as they are in the file.
 */
public record StorageSource(Path file, String sopClassUid, String sopInstanceUid, TransferSyntax transferSyntax,
                            long dataSetStart, boolean hasMeta) {

    /** Reads only as far as needed: the meta information and the first elements of the data set. */
    public static StorageSource probe(Path file) throws IOException {
        return probe(file, false);
    }

    /**
     * @param validate walk the whole data set (headers only, values skipped) so that a truncated
     *                 or malformed file is refused before anything is sent
     */
    public static StorageSource probe(Path file, boolean validate) throws IOException {
        // 8 KiB holds the meta information and the first elements; the stream's default 64 KiB would read (and allocate) far more per file.
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 8192); DicomInputStream din = new DicomInputStream(in, Files.size(file))) {
            Attributes meta = din.fileMetaInformation();
            long start = din.dataSetStart();
            // The C-STORE request names the data set's own UIDs, which some files' meta information contradicts.
            Attributes head = new DataSetReader(din).readUntil(Tag.SOPInstanceUID + 1);
            String cuid = head.getString(Tag.SOPClassUID);
            String iuid = head.getString(Tag.SOPInstanceUID);
            if (cuid == null && meta != null) cuid = meta.getString(Tag.MediaStorageSOPClassUID);
            if (iuid == null && meta != null) iuid = meta.getString(Tag.MediaStorageSOPInstanceUID);
            if (validate) {
                while (din.next() != DicomInputStream.Event.END) { /* values are skipped, structure checked */ }
            }
            if (cuid == null || iuid == null) throw new IOException(file + ": no SOP Class UID / SOP Instance UID: not a storable object");
            return new StorageSource(file, cuid, iuid, din.transferSyntax(), start, meta != null);
        }
    }

    /** The data set bytes exactly as stored (still deflated for the deflated syntax). */
    public InputStream openDataSet() throws IOException {
        InputStream in = Files.newInputStream(file);
        in.skipNBytes(dataSetStart);
        return in;
    }
}
