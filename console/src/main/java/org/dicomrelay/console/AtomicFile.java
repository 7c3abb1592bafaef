package org.dicomrelay.console;

import org.dicomrelay.dicom.io.OwnerOnly;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Replaces a file so that a crash leaves either the old content or the new one: a temporary file
 * beside it, forced to disk, renamed over it, and the folder forced so the rename itself lasts.
 * The file keeps its mode (a new file is 0600): an operator's 0640 router.yaml stays 0640.
 */
public final class AtomicFile {
    private AtomicFile() {}

    public static void write(Path target, byte[] bytes) throws IOException {
        Set<PosixFilePermission> mode = posix(target) && Files.exists(target, LinkOption.NOFOLLOW_LINKS)
                ? Files.getPosixFilePermissions(target, LinkOption.NOFOLLOW_LINKS) : OwnerOnly.FILE;
        Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp");
        try {
            Files.deleteIfExists(tmp); // a crash's leftover may have another mode
            try (FileChannel ch = posix(target)
                    ? FileChannel.open(tmp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), PosixFilePermissions.asFileAttribute(OwnerOnly.FILE))
                    : FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer b = ByteBuffer.wrap(bytes);
                while (b.hasRemaining()) ch.write(b);
                ch.force(true);
            }
            if (posix(target)) Files.setPosixFilePermissions(tmp, mode); // after creation: the umask does not narrow it
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
        forceFolder(target.toAbsolutePath().getParent());
    }

    private static void forceFolder(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // some file systems cannot open a folder for reading: the rename is still atomic, only its durability is the system's
        }
    }

    private static boolean posix(Path p) {
        Path dir = p.toAbsolutePath().getParent();
        return Files.getFileAttributeView(dir, PosixFileAttributeView.class) != null;
    }
}
