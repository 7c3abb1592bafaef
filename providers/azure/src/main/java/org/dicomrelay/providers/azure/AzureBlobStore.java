package org.dicomrelay.providers.azure;

import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.models.BlobItem;
import com.azure.storage.blob.models.BlobListDetails;
import com.azure.storage.blob.models.ListBlobsOptions;
import com.azure.storage.blob.specialized.BlockBlobClient;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.dicomrelay.relay.cloud.BlobNames;
import org.dicomrelay.relay.cloud.BlobStore;

/**
 * Cloud IO blobs as block blobs in an Azure Storage container, under {@code prefix + name}.
 * Uploads go as one Put Blob when they fit in a block, else as staged blocks going up in
 * parallel and one Put Block List ({@link AzureUpload}); downloads fetch ranges of a block each in
 * parallel and deliver them in order ({@link AzureDownload}). Memory per blob: at most
 * {@code blocksInFlight + 1} blocks.
 *
 * <p>Uncommitted blocks (a writer aborted or killed) are dropped: by the writer, by
 * {@link #delete} (the sender's journal deletes what it never finished), and by
 * {@link #sweepExpired}, which lists uncommitted blobs too and reads their age from the block IDs
 * ({@link BlockIds}); Azure itself drops uncommitted blocks after 7 days.
 */
public final class AzureBlobStore implements BlobStore {
    private final BlobContainerClient container;
    private final AzureSettings settings;
    /**
     * Runs the block transfers of every upload and download of this store, at most
     * {@link AzureSettings#transferThreads()} at once (a transfer never waits for another, so a
     * full pool only queues); closed with the store.
     */
    private final ThreadPoolExecutor transfers;

    public AzureBlobStore(AzureSettings settings) {
        this.container = AzureClients.container(settings);
        this.settings = settings;
        AtomicInteger n = new AtomicInteger();
        this.transfers = new ThreadPoolExecutor(settings.transferThreads(), settings.transferThreads(), 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "azure-transfer-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        transfers.allowCoreThreadTimeOut(true); // idle stores hold no threads
    }

    private String key(String name) {
        return settings.prefix() + BlobNames.check(name);
    }

    private String what(String action, String name) {
        return "Azure " + action + " of blob '" + name + "' in container '" + container.getBlobContainerName() + "'";
    }

    private BlockBlobClient block(String key) {
        return container.getBlobClient(key).getBlockBlobClient();
    }

    /** {@code recipientRouterId} is not used: the container's access is the operator's; the blob is sealed for its recipient. */
    @Override
    public Upload create(String name, String recipientRouterId) {
        String key = key(name);
        return new AzureUpload(block(key), what("upload", name), settings.blockBytes(), settings.blocksInFlight(), transfers);
    }

    @Override
    public InputStream open(String name) throws IOException {
        String key = key(name);
        return AzureDownload.open(container.getBlobClient(key), what("download", name), settings.blockBytes(), settings.blocksInFlight(), transfers);
    }

    /** One request for a consumed blob; a name without a blob gets its uncommitted blocks dropped, if it has any. */
    @Override
    public void delete(String name) throws IOException {
        BlockBlobClient blob = block(key(name));
        try {
            if (blob.deleteIfExists()) return;
            if (StagedBlocks.oldestStart(blob).isPresent()) StagedBlocks.discard(blob);
        } catch (RuntimeException e) {
            if (AzureFailures.status(e) == 404) return; // no blob and no blocks
            throw AzureFailures.io(what("delete", name), e);
        }
    }

    @Override
    public boolean sweepsExpired() {
        return true;
    }

    /**
     * Names listed with uncommitted blobs included. A name modified after the cutoff is young,
     * committed or not. An older one is deleted; if there was no committed blob to delete (Azure
     * lists names with only uncommitted blocks, and may give them no time), the start time in its
     * block IDs decides whether its blocks are dropped.
     */
    @Override
    public int sweepExpired(Duration maxAge) throws IOException {
        Instant cutoff = Instant.now().minus(maxAge);
        int n = 0;
        ListBlobsOptions list = new ListBlobsOptions().setPrefix(settings.prefix()).setDetails(new BlobListDetails().setRetrieveUncommittedBlobs(true));
        try {
            for (BlobItem item : container.listBlobs(list, null)) {
                if (Boolean.TRUE.equals(item.isPrefix()) || !BlobNames.isValid(item.getName().substring(settings.prefix().length()))) continue;
                OffsetDateTime modified = item.getProperties() == null ? null : item.getProperties().getLastModified();
                if (modified != null && modified.toInstant().isAfter(cutoff)) continue;
                if (sweep(block(item.getName()), cutoff)) n++;
            }
        } catch (RuntimeException e) {
            throw AzureFailures.io("Azure sweep of expired blobs in container '" + container.getBlobContainerName() + "'", e);
        }
        return n;
    }

    private static boolean sweep(BlockBlobClient blob, Instant cutoff) {
        try {
            if (blob.deleteIfExists()) return true;
            if (StagedBlocks.oldestStart(blob).filter(started -> !started.isAfter(cutoff)).isEmpty()) return false;
            StagedBlocks.discard(blob);
            return true;
        } catch (RuntimeException e) {
            if (AzureFailures.status(e) == 404) return false; // gone meanwhile: its reader or writer deleted it
            throw e;
        }
    }

    @Override
    public void close() {
        transfers.shutdownNow();
    }
}
