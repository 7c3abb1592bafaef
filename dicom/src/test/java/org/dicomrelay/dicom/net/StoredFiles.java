package org.dicomrelay.dicom.net;

import org.dicomrelay.dicom.net.service.StorageSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/** What a test peer or archive stored: its files by SOP Instance UID, and their data set bytes. */
public final class StoredFiles {
    private StoredFiles() {}

    /** Files in a folder (recursively, hidden ones skipped) by SOP Instance UID. */
    public static Map<String, Path> byInstance(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            Map<String, Path> m = new LinkedHashMap<>();
            for (Path f : files.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().startsWith(".")).toList()) {
                m.put(StorageSource.probe(f).sopInstanceUid(), f);
            }
            return m;
        }
    }

    /** The data set bytes of a file, as stored (after its meta information). */
    public static byte[] dataSet(Path file) throws IOException {
        try (InputStream in = StorageSource.probe(file).openDataSet()) {
            return in.readAllBytes();
        }
    }
}
