package org.dicomrelay.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9: the Bridge's data folder (H2 database, signing keyset) is 0700 and every file in it
 * 0600 whatever the umask. H2 creates its files with the umask's mode (0644 under 022, which the
 * suite runs with): the Bridge sets them, and tightens what an older version left.
 */
class DataFolderModesTest {
    @TempDir
    Path tmp;

    @Test
    void dataFolderAndEveryFileInItAreOwnerOnlyAfterStartAndUse() throws Exception {
        Path probe = tmp.resolve("probe");
        Files.createFile(probe);
        assumeTrue(mode(probe).equals("rw-r--r--"), "the umask already keeps others out: nothing to prove");
        // An older version's folder, as the umask made it.
        Path dir = Files.createDirectories(tmp.resolve("bridge-data/old"));
        Files.writeString(dir.resolve("notes.txt"), "left by an older version");
        try (TestBridge bridge = new TestBridge(tmp.resolve("bridge-data"))) {
            bridge.enroll("a");
            bridge.restart(); // the files H2 and the signer made in the first run, reopened
            List<String> seen = new ArrayList<>(), wrong = new ArrayList<>();
            try (Stream<Path> s = Files.walk(tmp.resolve("bridge-data"))) {
                for (Path p : s.toList()) {
                    String m = mode(p);
                    seen.add(tmp.relativize(p).toString());
                    if (!m.equals(Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) ? "rwx------" : "rw-------")) wrong.add(p + " " + m);
                }
            }
            assertThat(seen).contains("bridge-data/bridge.mv.db", "bridge-data/" + BridgeSigner.FILE_NAME);
            assertThat(wrong).isEmpty();
        }
    }

    private static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
    }
}
