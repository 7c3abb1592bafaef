package org.dicomrelay.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * What a fault must not leave behind once the relay has drained: in a router's state folder no
 * partial or temporary file ({@code *.part}, {@code *.tmp}), no received instance
 * ({@code incoming-*}, {@code instance-*}) and no object still spooled beyond the dead letters
 * the scenario expects; in the cloud folder no file at all (every blob consumed or swept).
 */
final class FaultLeftovers {
    private FaultLeftovers() {}

    /** Unexpected files of a router's state folder, given as paths relative to it. */
    static List<String> inState(List<String> relativeFiles, int expectedSpooled) {
        List<String> bad = new ArrayList<>();
        int spooled = 0;
        for (String f : relativeFiles) {
            String name = f.substring(f.lastIndexOf('/') + 1);
            if (name.endsWith(".part") || name.endsWith(".tmp") || name.startsWith("incoming-") || name.startsWith("instance-")) bad.add(f);
            else if (f.startsWith("spool/") && name.endsWith(".dcm")) spooled++;
        }
        if (spooled != expectedSpooled) bad.add(spooled + " objects still in spool/ (expected " + expectedSpooled + ")");
        return bad;
    }

    static List<String> inState(Path stateDir, int expectedSpooled) throws IOException {
        return inState(files(stateDir), expectedSpooled);
    }

    /** Files in the cloud folder: blobs (consumed ones must be deleted, orphans swept) or upload leftovers in .tmp. */
    static List<String> inCloud(Path cloud) throws IOException {
        return files(cloud);
    }

    static List<String> files(Path root) throws IOException {
        if (!Files.isDirectory(root)) return List.of();
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile).map(p -> root.relativize(p).toString().replace('\\', '/')).sorted().toList();
        }
    }
}
