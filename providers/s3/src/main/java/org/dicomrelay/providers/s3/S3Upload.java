package org.dicomrelay.providers.s3;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import org.dicomrelay.dicom.net.FailureText;
import org.dicomrelay.relay.cloud.BlobStore;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;

/**
 * One blob upload: a single PUT if it ends within its first part, else a multipart upload whose
 * parts go up in parallel, at most {@code partsInFlight} at once (a writer ahead of them waits:
 * memory stays bounded). Any failure aborts the multipart upload, so nothing is left behind.
 */
final class S3Upload extends BlobStore.Upload {
    private static final System.Logger LOG = System.getLogger(S3Upload.class.getName());

    private final S3Client s3;
    private final String bucket;
    private final String key;
    private final int partBytes;
    private final Semaphore inFlight;
    private final Executor transfers;
    private final List<CompletableFuture<CompletedPart>> parts = new ArrayList<>();
    private final ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    private byte[] buf;
    private int len;
    private String uploadId;
    private boolean done;

    S3Upload(S3Client s3, String bucket, String key, int partBytes, int partsInFlight, Executor transfers) {
        this.s3 = s3;
        this.bucket = bucket;
        this.key = key;
        this.partBytes = partBytes;
        this.inFlight = new Semaphore(partsInFlight);
        this.transfers = transfers;
        this.buf = new byte[Math.min(partBytes, 64 * 1024)]; // grows to a part: small blobs stay small
    }

    @Override
    public void write(int b) throws IOException {
        ensureOpen();
        if (len == buf.length) buf = java.util.Arrays.copyOf(buf, Math.min(partBytes, buf.length * 4)); // below a part: grows
        buf[len++] = (byte) b;
        if (len == partBytes) sendPart();
    }

    @Override
    public void write(byte[] b, int off, int n) throws IOException {
        ensureOpen();
        while (n > 0) {
            if (len == buf.length && buf.length < partBytes) buf = java.util.Arrays.copyOf(buf, Math.min(partBytes, buf.length * 4));
            int k = Math.min(n, buf.length - len);
            System.arraycopy(b, off, buf, len, k);
            len += k;
            off += k;
            n -= k;
            if (len == partBytes) sendPart();
        }
    }

    private void ensureOpen() throws IOException {
        if (done) throw new IOException("upload already closed or aborted");
        Throwable f = failures.peek();
        if (f != null) throw failed(f);
    }

    private IOException failed(Throwable f) {
        return f instanceof IOException io ? io : new IOException("S3 upload of a part failed: " + FailureText.of(f), f);
    }

    private void sendPart() throws IOException {
        try {
            if (uploadId == null) uploadId = s3.createMultipartUpload(r -> r.bucket(bucket).key(key)).uploadId();
            inFlight.acquire();
        } catch (SdkException e) {
            throw AwsFailures.io("S3 start of a multipart upload to bucket '" + bucket + "'", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted waiting for a part upload slot");
        }
        int number = parts.size() + 1; // S3 part numbers count from 1
        byte[] data = buf;
        int length = len;
        buf = new byte[partBytes];
        len = 0;
        String id = uploadId;
        parts.add(CompletableFuture.supplyAsync(() -> {
            try {
                String etag = s3.uploadPart(r -> r.bucket(bucket).key(key).uploadId(id).partNumber(number).contentLength((long) length),
                        RequestBody.fromInputStream(new ByteArrayInputStream(data, 0, length), length)).eTag();
                return CompletedPart.builder().partNumber(number).eTag(etag).build();
            } catch (SdkException e) {
                IOException io = AwsFailures.io("S3 upload of part " + number + " to bucket '" + bucket + "'", e);
                failures.add(io);
                throw new java.util.concurrent.CompletionException(io);
            } finally {
                inFlight.release();
            }
        }, transfers));
    }

    /**
     * Waits until the parts sent so far are stored (a part holds at least 5 MiB, so the bytes
     * still buffered go with the next part or {@link #close()}).
     */
    @Override
    public void flush() throws IOException {
        ensureOpen();
        try {
            for (CompletableFuture<CompletedPart> p : parts) p.get();
        } catch (ExecutionException e) {
            throw failed(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted waiting for part uploads");
        }
    }

    /** Makes the blob visible: the last part, then the multipart upload's completion (or one PUT). */
    @Override
    public void close() throws IOException {
        if (done) return;
        ensureOpen();
        done = true;
        boolean published = false;
        try {
            if (uploadId == null) {
                byte[] data = buf;
                int length = len;
                s3.putObject(r -> r.bucket(bucket).key(key).contentLength((long) length),
                        RequestBody.fromInputStream(new ByteArrayInputStream(data, 0, length), length));
            } else {
                if (len > 0) sendPart();
                List<CompletedPart> sent = new ArrayList<>();
                for (CompletableFuture<CompletedPart> p : parts) sent.add(p.get());
                sent.sort(Comparator.comparingInt(CompletedPart::partNumber));
                s3.completeMultipartUpload(r -> r.bucket(bucket).key(key).uploadId(uploadId).multipartUpload(m -> m.parts(sent)));
            }
            published = true;
        } catch (SdkException e) {
            throw AwsFailures.io("S3 upload of a blob to bucket '" + bucket + "'", e);
        } catch (ExecutionException e) {
            throw failed(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted waiting for part uploads");
        } finally {
            buf = null;
            done = true;
            if (!published) discard();
        }
    }

    @Override
    public void abort() {
        if (done) return;
        done = true;
        buf = null;
        discard();
    }

    /** Waits for the parts in flight (a part landing after the abort would keep storage), then aborts the multipart upload. */
    private void discard() {
        if (uploadId == null) return;
        for (CompletableFuture<CompletedPart> p : parts) {
            try {
                p.join();
            } catch (RuntimeException failedAnyway) {
                // nothing stored for it
            }
        }
        try {
            s3.abortMultipartUpload(r -> r.bucket(bucket).key(key).uploadId(uploadId));
        } catch (SdkException e) {
            // Swept or deleted already, or the service is away: the store's sweep aborts it after its time.
            LOG.log(System.Logger.Level.DEBUG, "could not abort a multipart upload: " + AwsFailures.describe(e));
        }
    }
}
