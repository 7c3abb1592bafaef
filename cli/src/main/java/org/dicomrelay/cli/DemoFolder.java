package org.dicomrelay.cli;

import org.dicomrelay.dicom.io.OwnerOnly;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The demo's state folder, held by one demo at a time. A marker file, locked while the demo
 * runs, says the folder is the demo's own: only then may a new demo clear what an earlier one
 * left, so that running the README's command again just works and nothing else is ever deleted.
 */
final class DemoFolder implements AutoCloseable {
    static final String MARKER = ".dicom-relay-demo";

    private final Path dir;
    private final FileChannel channel;
    private final FileLock lock;
    private final boolean hadEarlier;

    private DemoFolder(Path dir, FileChannel channel, FileLock lock, boolean hadEarlier) {
        this.dir = dir;
        this.channel = channel;
        this.lock = lock;
        this.hadEarlier = hadEarlier;
    }

    /** A folder an earlier demo wrote (the marker, or the layout of demos from before the marker). */
    static boolean isDemo(Path dir) {
        return Files.exists(dir.resolve(MARKER)) || (Files.isDirectory(dir.resolve("bridge")) && Files.exists(dir.resolve("bridge.yaml")));
    }

    static boolean isEmpty(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        }
    }

    /** Takes the folder for this demo; null if a demo running in another process holds it. */
    static DemoFolder claim(Path dir) throws IOException {
        boolean earlier = Files.isDirectory(dir) && isDemo(dir);
        OwnerOnly.newFolders(dir); // a new demo folder 0700: it will hold patient data and keys
        FileChannel ch = FileChannel.open(dir.resolve(MARKER), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = ch.tryLock();
        } catch (java.nio.channels.OverlappingFileLockException heldInThisJvm) {
            lock = null;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        if (lock == null) {
            ch.close();
            return null;
        }
        return new DemoFolder(dir, ch, lock, earlier);
    }

    /** Deletes what an earlier demo left (everything but the marker); true if there was an earlier demo. */
    boolean clearEarlier() throws IOException {
        if (!hadEarlier) return false;
        List<Path> all;
        try (Stream<Path> s = Files.walk(dir)) {
            all = s.filter(p -> !p.equals(dir) && !p.equals(dir.resolve(MARKER))).sorted(Comparator.reverseOrder()).toList();
        }
        for (Path p : all) Files.deleteIfExists(p);
        return true;
    }

    @Override public void close() throws IOException {
        try {
            lock.release();
        } finally {
            channel.close();
        }
    }
}
