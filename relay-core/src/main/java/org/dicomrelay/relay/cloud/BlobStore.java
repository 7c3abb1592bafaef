package org.dicomrelay.relay.cloud;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Where routers put encrypted messages for each other (Cloud IO). Names are random IDs chosen by
 * the writer and carry no patient data. A blob becomes visible to readers only once completely
 * written; providers may upload and download in parallel parts behind these streams.
 */
public interface BlobStore extends Closeable {

    /**
     * A stream to write the blob for {@code recipientRouterId}; it becomes visible on
     * {@link OutputStream#close()} and never if {@link Upload#abort()} is called. A store that
     * controls access (the Bridge's) lets only that router read it; a shared folder ignores it.
     */
    Upload create(String name, String recipientRouterId) throws IOException;

    /** Reads a complete blob; {@link java.io.FileNotFoundException} / {@link java.nio.file.NoSuchFileException} if absent. */
    InputStream open(String name) throws IOException;

    /** Removes a blob; absent blobs are not an error. */
    void delete(String name) throws IOException;

    /** An upload in progress. */
    abstract class Upload extends OutputStream {
        /** Discards what was written; the blob will not appear. */
        public abstract void abort();
    }
}
