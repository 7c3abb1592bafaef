package org.dicomrelay.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** POSIX modes of a tree, for tests that pin "files 0600, folders 0700 whatever the umask". */
public final class FileModes {
    private FileModes() {}

    /** Every folder under {@code root} (itself included) that is not 0700 and every file not 0600, as "path mode". */
    public static List<String> notOwnerOnly(Path root) throws IOException {
        List<String> wrong = new ArrayList<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.toList()) {
                if (Files.isSymbolicLink(p)) continue;
                String mode = mode(p);
                String want = Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) ? "rwx------" : "rw-------";
                if (!mode.equals(want)) wrong.add(p + " " + mode);
            }
        }
        return wrong;
    }

    /** How many entries {@code root} holds (itself included): a walk of nothing proves nothing. */
    public static long count(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.count();
        }
    }

    public static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
    }

    /**
     * Whether this process's umask lets a plain {@code Files.createFile} be read by others (022 does):
     * only then does a test of explicit modes prove that the code sets them.
     */
    public static boolean umaskIsPermissive(Path dir) throws IOException {
        Path probe = Files.createTempFile(dir, "umask-probe", ".tmp");
        try {
            Files.delete(probe);
            Files.createFile(probe);
            return mode(probe).charAt(6) == 'r';
        } finally {
            Files.deleteIfExists(probe);
        }
    }
}
