package org.dicomrelay.bridge;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import org.dicomrelay.dicom.io.OwnerOnly;

/**
 * The bytes of the Bridge's blobs: {@code <dataDir>/blobs/<first 2 characters>/<name>}, files 0600
 * in folders 0700 whatever the umask. A blob's parts are appended to its one file as they come;
 * the database says how many bytes of it count, so a part cut off mid-way is overwritten by its
 * next attempt. Parts of one blob may be written at once, each at its own offset. Names are checked by the caller ({@code BlobNames}), which rules out traversal.
 */
final class BlobFiles {
    private static final int BUFFER = 256 * 1024;

    /** A part longer than the limit: nothing of it counts. */
    static final class TooLargeException extends IOException {
        private static final long serialVersionUID = 1L;

        TooLargeException(long limit) {
            super("a part of a blob may have at most " + limit + " bytes");
        }
    }

    private final Path root;

    BlobFiles(Path dataDir) throws IOException {
        this.root = OwnerOnly.folder(dataDir.resolve("blobs"));
    }

    /**
     * Writes {@code in} to the blob's file from {@code offset}, streaming, and forces it to disk;
     * returns how many bytes were written, having told {@code progress} the count after each write.
     * Bytes beyond belong to other parts (or to a failed attempt, cut off by {@link #truncate} when
     * the blob is complete).
     *
     * @throws TooLargeException if {@code in} has more than {@code limit} bytes
     */
    long append(String name, long offset, InputStream in, long limit, java.util.function.LongConsumer progress) throws IOException {
        Path file = path(name);
        OwnerOnly.folder(file.getParent());
        try (FileChannel ch = FileChannel.open(file, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE), OwnerOnly.fileAttributes(file))) {
            ch.position(offset);
            byte[] buf = new byte[BUFFER];
            long written = 0;
            int n;
            // The request body comes a TLS record (16 KiB) per read: gathered into one write per buffer, not a system call per record.
            while ((n = in.readNBytes(buf, 0, buf.length)) > 0) {
                if (written + n > limit) throw new TooLargeException(limit);
                ByteBuffer bb = ByteBuffer.wrap(buf, 0, n);
                while (bb.hasRemaining()) ch.write(bb);
                written += n;
                progress.accept(written);
            }
            ch.force(false);
            return written;
        }
    }

    /** Cuts off what failed attempts left beyond the blob's {@code size}. */
    void truncate(String name, long size) throws IOException {
        try (FileChannel ch = FileChannel.open(path(name), StandardOpenOption.WRITE)) {
            if (ch.size() > size) {
                ch.truncate(size);
                ch.force(false);
            }
        }
    }

    /** The blob's bytes from {@code start} on; {@link NoSuchFileException} if it has none. */
    InputStream open(String name, long start) throws IOException {
        FileChannel ch = FileChannel.open(path(name), StandardOpenOption.READ);
        ch.position(start);
        return java.nio.channels.Channels.newInputStream(ch);
    }

    void delete(String name) throws IOException {
        Files.deleteIfExists(path(name));
    }

    Path path(String name) {
        return root.resolve(name.substring(0, 2)).resolve(name);
    }
}
