package org.dicomrelay.dicom.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Files and folders that hold patient data or keys: files 0600, folders 0700, whatever the
 * umask. Modes are given at creation (the umask can only narrow them) so no byte is ever
 * readable by others; {@link #tighten} brings what older versions created into line. On a file
 * system without POSIX permissions every method skips the modes: its own access control applies.
 */
public final class OwnerOnly {
    private static final System.Logger LOG = System.getLogger(OwnerOnly.class.getName());
    public static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");
    public static final Set<PosixFilePermission> FOLDER = PosixFilePermissions.fromString("rwx------");

    private OwnerOnly() {}

    static boolean posix(Path p) {
        return p.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    /** The attributes that create a file 0600 (none where there are no POSIX permissions). */
    public static FileAttribute<?>[] fileAttributes(Path p) {
        return posix(p) ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(FILE)} : new FileAttribute<?>[0];
    }

    /** Creates {@code dir} and any missing parents 0700, and sets {@code dir} itself 0700 if it existed. */
    public static Path folder(Path dir) throws IOException {
        if (!posix(dir)) return Files.createDirectories(dir);
        Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(FOLDER));
        setIfDifferent(dir, FOLDER);
        return dir;
    }

    /** Creates {@code dir} and any missing parents 0700, leaving the mode of one that exists (someone else's choice). */
    public static Path newFolders(Path dir) throws IOException {
        return posix(dir) ? Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(FOLDER)) : Files.createDirectories(dir);
    }

    /** A new empty 0600 temporary file in {@code dir}. */
    public static Path createTempFile(Path dir, String prefix, String suffix) throws IOException {
        return Files.createTempFile(dir, prefix, suffix, fileAttributes(dir));
    }

    /** Opens {@code file} for writing with {@code options}; a file it creates is 0600 from its first byte. */
    public static OutputStream newOutputStream(Path file, OpenOption... options) throws IOException {
        return Channels.newOutputStream(Files.newByteChannel(file, Set.of(options), fileAttributes(file)));
    }

    /**
     * Replaces {@code target} with {@code bytes} through a 0600 temporary file and an atomic
     * rename; a failed write leaves the previous content and no temporary file. A 0600 target that
     * already holds exactly these bytes is left as it is (callers rewrite their state periodically).
     */
    public static void replace(Path target, byte[] bytes) throws IOException {
        if (holds(target, bytes)) return;
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        try {
            Files.deleteIfExists(tmp); // a crash's leftover may have an older, wider mode
            try (OutputStream out = newOutputStream(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                out.write(bytes);
            }
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static boolean holds(Path target, byte[] bytes) throws IOException {
        if (!Files.isRegularFile(target, java.nio.file.LinkOption.NOFOLLOW_LINKS) || Files.size(target) != bytes.length) return false;
        if (posix(target) && !Files.getPosixFilePermissions(target, java.nio.file.LinkOption.NOFOLLOW_LINKS).equals(FILE)) return false;
        return java.util.Arrays.equals(Files.readAllBytes(target), bytes);
    }

    /** Sets an existing file 0600. */
    public static void file(Path file) throws IOException {
        if (posix(file)) setIfDifferent(file, FILE);
    }

    /**
     * Creates {@code root} 0700 and sets every folder under it 0700 and every file 0600 (symbolic
     * links are neither followed nor changed). An entry this process may not change is logged and
     * left: the folder above it, now 0700, keeps others out anyway.
     */
    public static Path tighten(Path root) throws IOException {
        folder(root);
        if (!posix(root)) return root;
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes a) {
                trySet(d, FOLDER);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes a) {
                if (a.isRegularFile()) trySet(f, FILE);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path f, IOException e) {
                // gone in between (a temporary file) or unreadable: nothing to tighten there
                return FileVisitResult.CONTINUE;
            }
        });
        return root;
    }

    private static void trySet(Path p, Set<PosixFilePermission> mode) {
        try {
            setIfDifferent(p, mode);
        } catch (java.nio.file.NoSuchFileException gone) {
            // deleted while we walked: nothing left to protect
        } catch (IOException | SecurityException e) {
            LOG.log(System.Logger.Level.WARNING, "could not make " + p + " owner-only: " + org.dicomrelay.dicom.net.FailureText.of(e));
        }
    }

    private static void setIfDifferent(Path p, Set<PosixFilePermission> mode) throws IOException {
        if (!Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS).equals(mode)) Files.setPosixFilePermissions(p, mode);
    }
}
