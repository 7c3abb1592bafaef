package org.dicomrelay.providers.s3;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.dicomrelay.relay.cloud.BlobNames;
import org.dicomrelay.relay.cloud.BlobStore;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.Delete;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Cloud IO blobs in an S3-compatible bucket, under {@code prefix + name}. Uploads go as one PUT
 * when they fit in a part, else as a multipart upload whose parts go up in parallel
 * ({@link S3Upload}); downloads fetch ranges of a part each in parallel and deliver them in order
 * ({@link RangedDownload}). Memory per blob: at most {@code partsInFlight + 1} parts.
 *
 * <p>Unfinished multipart uploads (a writer aborted or killed) are aborted: by the writer, by
 * {@link #delete} (the sender's journal deletes what it never finished), and by
 * {@link #sweepExpired} after their time.
 */
public final class S3BlobStore implements BlobStore {
    private final S3Client s3;
    private final S3Settings settings;
    /**
     * Runs the part transfers of every upload and download of this store, at most
     * {@link S3Settings#transferThreads()} at once (a transfer never waits for another, so a full
     * pool only queues); closed with the store.
     */
    private final ThreadPoolExecutor transfers;

    public S3BlobStore(S3Settings settings) {
        this(AwsClients.s3(settings), settings);
    }

    S3BlobStore(S3Client s3, S3Settings settings) {
        this.s3 = s3;
        this.settings = settings;
        this.transfers = new ThreadPoolExecutor(settings.transferThreads(), settings.transferThreads(), 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), daemons("s3-transfer"));
        transfers.allowCoreThreadTimeOut(true); // idle stores hold no threads
    }

    private static ThreadFactory daemons(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    String key(String name) {
        return settings.prefix() + BlobNames.check(name);
    }

    /** {@code recipientRouterId} is not used: the bucket's access policy is the operator's; the blob is sealed for its recipient. */
    @Override
    public Upload create(String name, String recipientRouterId) {
        return new S3Upload(s3, settings.bucket(), key(name), settings.partBytes(), settings.partsInFlight(), transfers);
    }

    @Override
    public InputStream open(String name) throws IOException {
        return RangedDownload.open(s3, settings.bucket(), key(name), settings.partBytes(), settings.partsInFlight(), transfers);
    }

    @Override
    public void delete(String name) throws IOException {
        String key = key(name);
        try {
            s3.deleteObject(b -> b.bucket(settings.bucket()).key(key));
            for (MultipartUpload u : s3.listMultipartUploadsPaginator(b -> b.bucket(settings.bucket()).prefix(key)).uploads()) {
                if (u.key().equals(key)) abortQuietly(u);
            }
        } catch (SdkException e) {
            throw AwsFailures.io("S3 delete of a blob in bucket '" + settings.bucket() + "'", e);
        }
    }

    @Override
    public boolean sweepsExpired() {
        return true;
    }

    @Override
    public int sweepExpired(Duration maxAge) throws IOException {
        Instant cutoff = Instant.now().minus(maxAge);
        int n = 0;
        try {
            List<ObjectIdentifier> batch = new ArrayList<>();
            for (S3Object o : s3.listObjectsV2Paginator(b -> b.bucket(settings.bucket()).prefix(settings.prefix())).contents()) {
                if (o.lastModified().isAfter(cutoff) || !BlobNames.isValid(o.key().substring(settings.prefix().length()))) continue;
                batch.add(ObjectIdentifier.builder().key(o.key()).build());
                if (batch.size() == 1000) n += deleteAll(batch); // DeleteObjects takes at most 1000 keys
            }
            if (!batch.isEmpty()) n += deleteAll(batch);
            for (MultipartUpload u : s3.listMultipartUploadsPaginator(b -> b.bucket(settings.bucket()).prefix(settings.prefix())).uploads()) {
                if (!u.initiated().isAfter(cutoff) && abortQuietly(u)) n++;
            }
        } catch (SdkException e) {
            throw AwsFailures.io("S3 sweep of expired blobs in bucket '" + settings.bucket() + "'", e);
        }
        return n;
    }

    private int deleteAll(List<ObjectIdentifier> keys) {
        var r = s3.deleteObjects(b -> b.bucket(settings.bucket()).delete(Delete.builder().objects(keys).quiet(true).build()));
        int deleted = keys.size() - r.errors().size();
        keys.clear();
        return deleted;
    }

    private boolean abortQuietly(MultipartUpload u) {
        try {
            s3.abortMultipartUpload(b -> b.bucket(settings.bucket()).key(u.key()).uploadId(u.uploadId()));
            return true;
        } catch (SdkException gone) {
            return false; // completed or aborted meanwhile
        }
    }

    @Override
    public void close() {
        transfers.shutdownNow();
        s3.close();
    }
}
