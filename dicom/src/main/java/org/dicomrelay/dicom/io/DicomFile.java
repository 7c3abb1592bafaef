package org.dicomrelay.dicom.io;

import org.dicomrelay.dicom.data.Attributes;
import org.dicomrelay.dicom.data.TransferSyntax;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A PS3.10 file (or a bare data set in a file): its meta information, transfer syntax and data
 * set. Values above {@link #DEFAULT_BULK_THRESHOLD} stay in the file as bulk data references.
 */
public record DicomFile(Path path, Attributes meta, TransferSyntax transferSyntax, Attributes dataSet) {

    public static final long DEFAULT_BULK_THRESHOLD = 64 * 1024;

    public static DicomFile read(Path path) throws IOException {
        return read(path, DEFAULT_BULK_THRESHOLD);
    }

    public static DicomFile read(Path path, long bulkThreshold) throws IOException {
        try (InputStream in = Files.newInputStream(path);
             DicomInputStream din = new DicomInputStream(in, Files.size(path))) {
            Attributes ds = new DataSetReader(din).bulkData(path, bulkThreshold).readAll();
            return new DicomFile(path, din.fileMetaInformation(), din.transferSyntax(), ds);
        }
    }

    /** Writes meta information (when given) and the data set in the given syntax. */
    public static void write(OutputStream out, Attributes meta, Attributes dataSet, TransferSyntax ts) throws IOException {
        DicomOutputStream dout = new DicomOutputStream(out, ts);
        if (meta != null) dout.writeFileMetaInformation(meta);
        dout.writeDataSet(dataSet);
        dout.finish();
    }

    public static void write(Path path, Attributes meta, Attributes dataSet, TransferSyntax ts) throws IOException {
        try (OutputStream out = Files.newOutputStream(path)) {
            write(out, meta, dataSet, ts);
        }
    }
}
