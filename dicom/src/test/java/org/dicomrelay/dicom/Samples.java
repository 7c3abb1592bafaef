package org.dicomrelay.dicom;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The sample files Debian's python3-pydicom ships; the test command installs the package. */
public final class Samples {
    private Samples() {}

    public static Path root() {
        Path p = Path.of(System.getProperty("pydicom.data", "/usr/lib/python3/dist-packages/pydicom/data"));
        if (!Files.isDirectory(p)) {
            throw new IllegalStateException("pydicom sample files not found at " + p + ": install python3-pydicom (scripts/test does)");
        }
        return p;
    }

    public static Path file(String relative) {
        return root().resolve(relative);
    }

    /** Every .dcm file, sorted, as the issue counts them. */
    public static List<Path> allDcm() {
        try (Stream<Path> s = Files.walk(root())) {
            return s.filter(p -> p.toString().endsWith(".dcm")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
