package org.dicomrelay.router;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;

/**
 * Forces a large object to disk while it is still being received, on one thread of its own: the
 * kernel writes dirty pages back only after seconds, so the force after the last byte had to write
 * the whole object (27 ms for 50 MB here, far longer on a slow disk), and the modality waited for
 * it. Forced every {@link #EVERY_BYTES}, the last force has only the tail to write. Each object has
 * at most one force waiting or running, so the queue is bounded by the associations receiving.
 * The spool's own force after the last byte still decides what the modality hears; these only
 * move work earlier, and a failed or late one changes nothing.
 */
final class EarlyForce implements AutoCloseable {
    /** What an object may have unforced before a force starts in the background. */
    static final long EVERY_BYTES = 8L << 20;
    private static final System.Logger LOG = System.getLogger(EarlyForce.class.getName());

    /** Forces a file's data to disk. */
    interface Force {
        void force(Path file) throws IOException;
    }

    private final ExecutorService thread = Executors.newSingleThreadExecutor(DaemonThreads.named("spool-early-force"));
    private final Force force;

    EarlyForce() {
        this(EarlyForce::forceData);
    }

    /** With another way of forcing (a test's, to see when forces happen). */
    EarlyForce(Force force) {
        this.force = force;
    }

    private static void forceData(Path file) throws IOException {
        // A channel of its own: the writer's is busy writing.
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ch.force(false);
        }
    }

    /** The forces of one object being written: tell it how far the writing got ({@link #written}). */
    final class Writing {
        private final Path file;
        private long forcedUpTo;
        private CompletableFuture<Void> running = CompletableFuture.completedFuture(null);

        private Writing(Path file) {
            this.file = file;
        }

        /** {@code total} bytes are written: a force starts if enough are unforced and none is under way. */
        void written(long total) {
            if (total - forcedUpTo < EVERY_BYTES || !running.isDone()) return;
            forcedUpTo = total;
            try {
                running = CompletableFuture.runAsync(this::force, thread);
            } catch (RejectedExecutionException closing) {
                // the router stops: the spool's own force still runs
            }
        }

        private void force() {
            try {
                force.force(file);
            } catch (NoSuchFileException renamedOrGone) {
                // already forced and renamed by the spool, or the object failed
            } catch (IOException e) {
                LOG.log(System.Logger.Level.DEBUG, "early force of " + file.getFileName() + " failed (the spool's own force decides): " + e);
            }
        }
    }

    /** The forces of {@code file}, which the spool is about to write. */
    Writing of(Path file) {
        return new Writing(file);
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
