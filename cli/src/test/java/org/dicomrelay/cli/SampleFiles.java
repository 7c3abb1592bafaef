package org.dicomrelay.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/** The pydicom sample files (python3-pydicom; scripts/test installs it), as dicom's tests use them. */
final class SampleFiles {
    private SampleFiles() {}

    static Path file(String relative) {
        Path root = Path.of(System.getProperty("pydicom.data", "/usr/lib/python3/dist-packages/pydicom/data"));
        if (!Files.isDirectory(root)) {
            throw new IllegalStateException("pydicom sample files not found at " + root + ": install python3-pydicom (scripts/test does)");
        }
        return root.resolve(relative);
    }
}
