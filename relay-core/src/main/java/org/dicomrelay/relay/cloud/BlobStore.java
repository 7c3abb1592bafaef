package org.dicomrelay.relay.cloud;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;

/**
 * Where routers put encrypted messages for each other (Cloud IO). Names are random IDs chosen by
 * the writer and carry no patient data. A blob becomes visible to readers once completely written,
 * or, in a store {@link #readableWhileWriting()}, once its upload has started; providers may upload
 * and download in parallel parts behind these streams.
 */
public interface BlobStore extends Closeable {

    /**
     * A stream to write the blob for {@code recipientRouterId}; it becomes visible on
     * {@link OutputStream#close()} and never if {@link Upload#abort()} is called. A store that
     * controls access (the Bridge's) lets only that router read it; a shared folder ignores it.
     */
    Upload create(String name, String recipientRouterId) throws IOException;

    /**
     * Reads a blob; {@link java.io.FileNotFoundException} / {@link java.nio.file.NoSuchFileException} if absent.
     * In a store {@link #readableWhileWriting()}, a blob still being uploaded delivers its bytes in
     * order as they arrive and ends at its end; a read fails with an IOException if the upload is
     * aborted, expires or stalls.
     */
    InputStream open(String name) throws IOException;

    /**
     * Whether a blob can be opened while it is uploaded, as soon as {@link Upload#whenReadable} ran:
     * then the writer may tell its reader about it before it is complete. False by default.
     */
    default boolean readableWhileWriting() {
        return false;
    }

    /** Removes a blob; absent blobs are not an error. */
    void delete(String name) throws IOException;

    /**
     * Deletes what is older than {@code maxAge}: blobs nobody consumed (their sender or recipient
     * crashed) and unfinished uploads; returns how many. Stores whose service expires blobs by
     * itself (the Bridge's) return 0 and say so in {@link #sweepsExpired()}.
     */
    default int sweepExpired(Duration maxAge) throws IOException {
        return 0;
    }

    /** Whether {@link #sweepExpired} deletes anything; false by default. */
    default boolean sweepsExpired() {
        return false;
    }

    /** An upload in progress. */
    abstract class Upload extends OutputStream {
        /** Discards what was written; the blob will not appear (a reader of it, in a store readable while writing, fails). */
        public abstract void abort();

        /**
         * In a store {@link BlobStore#readableWhileWriting()}: runs {@code action} once, on the writing
         * thread within a write or {@link #close()}, as soon as the recipient can open the blob; what
         * it throws fails that write. Other stores never run it.
         */
        public void whenReadable(Runnable action) {}
    }
}
