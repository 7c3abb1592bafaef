package org.dicomrelay.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** The sample files Debian's python3-pydicom ships; the test command installs the package. */
public final class Samples {
    private Samples() {}

    /** Broken on purpose, with the offset and the words the error must carry. */
    public static final Map<String, String> BROKEN = Map.of(
            // pixel data declares 8192 bytes; the file ends 8142 bytes after its header
            "test_files/MR_truncated.dcm", "at offset 1488 (0x5d0): truncated: value length 8192 of (7FE0,0010)",
            // a sequence item declares more bytes than the file holds
            "test_files/rtplan_truncated.dcm", "at offset 1410 (0x582): truncated: value length 976 of (300A,00B0)",
            // one stray byte before the first element: DCMTK fails on it too ("larger than remaining bytes")
            "test_files/no_meta.dcm", "at offset 0 (0x0): truncated: value length 173228800 of (0820,0500)");

    public static boolean isBroken(Path p) {
        return BROKEN.containsKey(root().relativize(p).toString());
    }

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
