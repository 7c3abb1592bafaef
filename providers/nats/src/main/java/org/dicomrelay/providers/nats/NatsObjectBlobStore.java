package org.dicomrelay.providers.nats;

import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.ObjectStore;
import io.nats.client.api.ObjectInfo;
import io.nats.client.api.ObjectMeta;
import io.nats.client.api.ObjectStoreConfiguration;
import io.nats.client.api.StorageType;
import java.io.FileNotFoundException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.dicomrelay.dicom.net.FailureText;
import org.dicomrelay.relay.cloud.BlobNames;
import org.dicomrelay.relay.cloud.BlobStore;

/**
 * Cloud IO blobs in a NATS Object Store bucket ({@code blobs: nats}; bucket {@code nats.objectBucket},
 * default dicomrelay-blobs, created when missing). jnats reads an upload from an InputStream and
 * writes a download to an OutputStream, so each transfer runs in a thread of this store's, joined
 * to the caller by a pipe of {@link #PIPE_BYTES}: memory per transfer is that plus one chunk. A
 * blob is visible once complete; an aborted upload's chunks are purged by jnats; the bucket's TTL
 * ({@code nats.objectTtlHours}, default 168) removes chunks of uploads whose writer died.
 */
public final class NatsObjectBlobStore implements BlobStore {
    public static final String BUCKET = "nats.objectBucket";
    public static final String TTL_HOURS = "nats.objectTtlHours";
    static final int PIPE_BYTES = 256 * 1024;

    private final NatsSettings settings;
    private final String bucket;
    private final Duration ttl;
    private final AtomicInteger threadNumber = new AtomicInteger();
    private final ExecutorService transfers = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "nats-blob-" + threadNumber.incrementAndGet());
        t.setDaemon(true);
        return t;
    });
    private Connection connection; // guarded by this
    private ObjectStore store; // guarded by this

    public NatsObjectBlobStore(NatsSettings settings, String bucket, Duration ttl) {
        if (!bucket.matches("[A-Za-z0-9_-]{1,64}")) throw new IllegalArgumentException("setting '" + BUCKET + "' must be 1 to 64 of [A-Za-z0-9_-]");
        this.settings = settings;
        this.bucket = bucket;
        this.ttl = ttl;
    }

    private synchronized ObjectStore store() throws IOException {
        if (store != null) return store;
        Connection c = NatsConnections.open(settings, "blobs", () -> { });
        try {
            if (!c.objectStoreManagement().getBucketNames().contains(bucket)) {
                c.objectStoreManagement().create(ObjectStoreConfiguration.builder(bucket).storageType(StorageType.File).ttl(ttl).build());
            }
            store = c.objectStore(bucket);
            connection = c;
            return store;
        } catch (JetStreamApiException | IOException | RuntimeException e) {
            close(c);
            throw new IOException("NATS object store bucket '" + bucket + "' cannot be opened: " + FailureText.of(e), e);
        }
    }

    @Override
    public Upload create(String name, String recipientRouterId) throws IOException {
        BlobNames.check(name);
        ObjectStore os = store();
        PipedInputStream pipeIn = new PipedInputStream(PIPE_BYTES);
        PipedOutputStream pipeOut = new PipedOutputStream(pipeIn);
        AbortableInput input = new AbortableInput(pipeIn);
        Future<ObjectInfo> put = transfers.submit(() -> os.put(ObjectMeta.objectName(name), input));
        return new Upload() {
            private boolean finished;

            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                if (put.isDone()) throw failure("upload of blob " + name, put); // failed early: say why, not "pipe closed"
                try {
                    pipeOut.write(b, off, len);
                } catch (IOException e) {
                    throw put.isDone() ? failure("upload of blob " + name, put) : e;
                }
            }

            @Override
            public void close() throws IOException {
                if (finished) return;
                finished = true;
                pipeOut.close();
                await(put, "upload of blob " + name);
            }

            @Override
            public void abort() {
                if (finished) return;
                finished = true;
                input.aborted = true;
                try {
                    pipeOut.close(); // wakes the put, which then fails and purges what it stored
                    put.get();
                } catch (IOException | ExecutionException ignored) {
                    // aborted: failing is what it should do
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
    }

    /** The put's stream: after an abort it fails instead of ending, so jnats does not store a cut blob. */
    private static final class AbortableInput extends FilterInputStream {
        volatile boolean aborted;

        AbortableInput(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (aborted) throw new IOException("upload aborted");
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (aborted) throw new IOException("upload aborted");
            return n;
        }
    }

    @Override
    public InputStream open(String name) throws IOException {
        BlobNames.check(name);
        ObjectStore os = store();
        ObjectInfo info;
        try {
            info = os.getInfo(name);
        } catch (JetStreamApiException e) {
            throw new IOException("NATS object store look-up of blob " + name + " failed: " + FailureText.of(e), e);
        }
        if (info == null || info.isDeleted()) throw new FileNotFoundException("blob " + name + ": no such blob in NATS object store bucket '" + bucket + "'");
        PipedInputStream pipeIn = new PipedInputStream(PIPE_BYTES);
        PipedOutputStream pipeOut = new PipedOutputStream(pipeIn);
        Future<ObjectInfo> get = transfers.submit(() -> {
            try (pipeOut) {
                return os.get(name, pipeOut);
            }
        });
        return new FilterInputStream(pipeIn) {
            @Override
            public int read() throws IOException {
                return checked(super.read());
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return checked(super.read(b, off, len));
            }

            /** The end of the pipe is the end of the blob only if the get succeeded (jnats checks its digest). */
            private int checked(int n) throws IOException {
                if (n < 0) await(get, "download of blob " + name);
                return n;
            }

            @Override
            public void close() throws IOException {
                super.close(); // a get still writing fails at its next write
                get.cancel(true);
            }
        };
    }

    private static IOException failure(String what, Future<?> done) {
        try {
            done.get();
            return new IOException(what + " ended early");
        } catch (ExecutionException e) {
            return new IOException(what + " failed in NATS: " + FailureText.of(e.getCause()), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new InterruptedIOException(what + " interrupted");
        }
    }

    private static void await(Future<?> transfer, String what) throws IOException {
        try {
            transfer.get();
        } catch (ExecutionException e) {
            throw new IOException(what + " failed in NATS: " + FailureText.of(e.getCause()), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException(what + " interrupted");
        }
    }

    @Override
    public void delete(String name) throws IOException {
        BlobNames.check(name);
        try {
            ObjectInfo info = store().getInfo(name);
            if (info != null && !info.isDeleted()) store().delete(name);
        } catch (JetStreamApiException e) {
            throw new IOException("NATS object store deletion of blob " + name + " failed: " + FailureText.of(e), e);
        }
    }

    @Override
    public boolean sweepsExpired() {
        return true;
    }

    /** Complete blobs older than {@code maxAge}; chunks of unfinished uploads go with the bucket's TTL. */
    @Override
    public int sweepExpired(Duration maxAge) throws IOException {
        Instant cutoff = Instant.now().minus(maxAge);
        int deleted = 0;
        try {
            for (ObjectInfo o : store().getList()) {
                if (o.isDeleted() || !BlobNames.isValid(o.getObjectName()) || o.getModified().toInstant().isAfter(cutoff)) continue;
                store().delete(o.getObjectName());
                deleted++;
            }
        } catch (JetStreamApiException e) {
            throw new IOException("NATS object store sweep of bucket '" + bucket + "' failed: " + FailureText.of(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("NATS object store sweep interrupted");
        }
        return deleted;
    }

    @Override
    public void close() throws IOException {
        transfers.shutdownNow();
        Connection c;
        synchronized (this) {
            c = connection;
            connection = null;
            store = null;
        }
        if (c != null) close(c);
    }

    private static void close(Connection c) {
        try {
            c.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
