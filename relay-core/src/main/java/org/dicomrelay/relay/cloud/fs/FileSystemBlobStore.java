package org.dicomrelay.relay.cloud.fs;

import org.dicomrelay.dicom.net.FailureText;
import org.dicomrelay.relay.cloud.BlobNames;
import org.dicomrelay.relay.cloud.BlobStore;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A {@link BlobStore} in a folder, local or on a mount shared by several routers (NFS, SMB).
 *
 * <p>Layout: blob {@code name} lives at {@code <root>/<first 2 characters of name>/<name>}. A
 * blob being written lives at {@code <root>/.tmp/<name>}; closing its upload flushes it to
 * stable storage (fsync), then renames it into place atomically, so readers see either no blob
 * or the whole blob. Names are checked with {@link BlobNames#check} (16 to 128 of
 * {@code [A-Za-z0-9_-]}), which rules out path traversal; the shard folder can never be
 * {@code .tmp}. On case-insensitive file systems two names differing only in case would be the
 * same blob; random names ({@link BlobNames#random}) make that practically impossible.
 *
 * <p>Uploads and downloads are single sequential streams: parallel parts (as cloud object stores
 * need for throughput) bring nothing for a file system.
 *
 * <p>A writer killed mid-upload leaves its file in {@code .tmp}, under the blob's name, so that
 * deleting the blob (the sender's journal does, at its next start) deletes it too; such a file, untouched for
 * {@link #ABANDONED_AFTER} (an upload in progress writes continually), is deleted when the store
 * is opened and then at most every half of that period, as uploads are created. Several routers
 * sharing the folder each do so; deleting a file another already deleted is harmless.
 */
public final class FileSystemBlobStore implements BlobStore {
    static final String TMP = ".tmp";
    private static final int BUFFER = 64 * 1024;

    /** How long a partial upload may go unwritten before it counts as abandoned. */
    public static final Duration ABANDONED_AFTER = Duration.ofMinutes(15);
    private static final System.Logger LOG = System.getLogger(FileSystemBlobStore.class.getName());

    private final Path root;
    private final Path tmp;
    private final Duration abandonedAfter;
    private final AtomicLong lastSweep = new AtomicLong();
    /**
     * Partial uploads this store failed to delete because the folder was away (an unmounted share,
     * a folder moved): deleted as soon as it is back, not only after {@link #ABANDONED_AFTER}.
     */
    private final Set<Path> undeleted = ConcurrentHashMap.newKeySet();
    private static final int MAX_UNDELETED = 1000;

    public FileSystemBlobStore(Path root) throws IOException {
        this(root, ABANDONED_AFTER);
    }

    public FileSystemBlobStore(Path root, Duration abandonedAfter) throws IOException {
        this.root = root.toAbsolutePath().normalize();
        this.tmp = this.root.resolve(TMP);
        this.abandonedAfter = abandonedAfter;
        Files.createDirectories(tmp);
        lastSweep.set(System.nanoTime());
        sweepAbandoned();
    }

    public Path root() {
        return root;
    }

    /** {@code recipientRouterId} is not used: whoever can read the folder can read the blob (it is sealed for its recipient). */
    @Override
    public Upload create(String name, String recipientRouterId) throws IOException {
        Path target = path(name);
        long last = lastSweep.get(), now = System.nanoTime();
        if (now - last > abandonedAfter.toNanos() / 2 && lastSweep.compareAndSet(last, now)) sweepAbandoned();
        if (!undeleted.isEmpty()) retryUndeleted();
        Path part = tmp.resolve(name); // the blob's own name: delete(name) reaches an upload a killed writer left
        FileChannel channel = FileChannel.open(part, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        return new FileUpload(channel, part, target, this::undeletable);
    }

    /**
     * Deletes partial uploads untouched for the abandonment period (left by a writer that was
     * killed); returns how many. A failure is logged, never thrown: it must not fail an upload.
     */
    public int sweepAbandoned() {
        long cutoff = System.currentTimeMillis() - abandonedAfter.toMillis();
        int n = 0;
        try (DirectoryStream<Path> parts = Files.newDirectoryStream(tmp)) {
            for (Path p : parts) {
                try {
                    if (Files.getLastModifiedTime(p).toMillis() < cutoff && Files.deleteIfExists(p)) n++;
                } catch (NoSuchFileException gone) {
                    // published or deleted meanwhile
                }
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "could not clean abandoned uploads in " + tmp + ": " + FailureText.of(e));
        }
        if (n > 0) LOG.log(System.Logger.Level.INFO, "deleted " + n + " abandoned partial upload(s) in " + tmp);
        return n;
    }

    @Override
    public boolean sweepsExpired() {
        return true;
    }

    /**
     * Deletes blobs and partial uploads last written {@code maxAge} ago or earlier (orphans: their
     * sender or recipient crashed); returns how many. Only names a writer could have chosen
     * ({@link BlobNames#isValid}) in shard folders are touched.
     */
    @Override
    public int sweepExpired(Duration maxAge) throws IOException {
        long cutoff = System.currentTimeMillis() - maxAge.toMillis();
        int n = 0;
        try (DirectoryStream<Path> shards = Files.newDirectoryStream(root)) {
            for (Path shard : shards) {
                boolean isTmp = shard.getFileName().toString().equals(TMP);
                if (!Files.isDirectory(shard) || (!isTmp && shard.getFileName().toString().length() != 2)) continue;
                try (DirectoryStream<Path> blobs = Files.newDirectoryStream(shard)) {
                    for (Path b : blobs) {
                        try {
                            if (BlobNames.isValid(b.getFileName().toString()) && Files.getLastModifiedTime(b).toMillis() <= cutoff
                                    && Files.deleteIfExists(b)) n++;
                        } catch (NoSuchFileException gone) {
                            // consumed meanwhile
                        }
                    }
                }
            }
        }
        return n;
    }

    private void undeletable(Path part) {
        if (undeleted.size() < MAX_UNDELETED) undeleted.add(part); // beyond that, the age sweep takes them
    }

    private void retryUndeleted() {
        if (!Files.isDirectory(tmp)) return; // still away
        for (Path p : undeleted) {
            try {
                Files.deleteIfExists(p);
                undeleted.remove(p);
            } catch (IOException e) {
                // kept for the next try
            }
        }
    }

    @Override
    public InputStream open(String name) throws IOException {
        return Files.newInputStream(path(name));
    }

    @Override
    public void delete(String name) throws IOException {
        Path p = path(name);
        boolean partial = Files.deleteIfExists(tmp.resolve(name)); // an upload its writer never finished
        // An absent blob is fine, but not when the whole folder is away: then nothing was deleted, and the caller must retry.
        if (!Files.deleteIfExists(p) && !partial && !Files.isDirectory(tmp)) {
            throw new NoSuchFileException(root.toString(), null, "the blob store folder is not available");
        }
    }

    @Override
    public void close() {}

    private Path path(String name) {
        BlobNames.check(name);
        return root.resolve(name.substring(0, 2)).resolve(name);
    }

    private static final class FileUpload extends Upload {
        private final FileChannel channel;
        private final OutputStream out;
        private final Path part;
        private final Path target;
        private final Consumer<Path> undeletable;
        private boolean done;

        FileUpload(FileChannel channel, Path part, Path target, Consumer<Path> undeletable) {
            this.undeletable = undeletable;
            this.channel = channel;
            this.out = new BufferedOutputStream(Channels.newOutputStream(channel), BUFFER);
            this.part = part;
            this.target = target;
        }

        @Override
        public void write(int b) throws IOException {
            ensureOpen();
            out.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            ensureOpen();
            out.write(b, off, len);
        }

        @Override
        public void flush() throws IOException {
            ensureOpen();
            out.flush();
        }

        /** Makes the blob visible: flush, fsync, atomic rename, fsync of the folder. */
        @Override
        public void close() throws IOException {
            if (done) return;
            done = true;
            boolean published = false;
            try {
                out.flush();
                channel.force(true);
                channel.close();
                Path dir = target.getParent();
                // Only the shard folder: a root that is away (unmounted, moved) must not be created anew here.
                try {
                    Files.createDirectory(dir);
                } catch (FileAlreadyExistsException exists) {
                    // the usual case
                }
                Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                published = true;
                syncDirectory(dir);
            } finally {
                if (!published) discard();
            }
        }

        @Override
        public void abort() {
            if (done) return;
            done = true;
            discard();
        }

        private void discard() {
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing more to lose
            }
            try {
                // Not there because its folder is away (moved, unmounted)? Then it is deleted once the folder is back.
                if (!Files.deleteIfExists(part) && !Files.isDirectory(part.getParent())) undeletable.accept(part);
            } catch (IOException e) {
                undeletable.accept(part); // a leftover in .tmp is never visible as a blob, but must not stay
            }
        }

        private void ensureOpen() throws IOException {
            if (done) throw new IOException("upload already closed or aborted");
        }

        /** Persists the rename where the platform allows opening a folder (not on Windows). */
        private static void syncDirectory(Path dir) {
            try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
                d.force(true);
            } catch (IOException | UnsupportedOperationException ignored) {
                // best effort: the blob is complete and visible either way
            }
        }
    }
}
