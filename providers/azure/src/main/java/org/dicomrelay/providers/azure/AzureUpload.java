package org.dicomrelay.providers.azure;

import com.azure.core.util.BinaryData;
import com.azure.storage.blob.specialized.BlockBlobClient;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import org.dicomrelay.dicom.net.FailureText;
import org.dicomrelay.relay.cloud.BlobStore;

/**
 * One blob upload to a block blob: a single Put Blob if it ends within its first block, else
 * staged blocks (Put Block) going up in parallel, at most {@code blocksInFlight} at once (a writer
 * ahead of them waits: memory stays bounded), made the blob by one Put Block List in order. A
 * failure or abort discards the staged blocks ({@link StagedBlocks#discard}), so nothing is left.
 */
final class AzureUpload extends BlobStore.Upload {
    private static final System.Logger LOG = System.getLogger(AzureUpload.class.getName());

    private final BlockBlobClient blob;
    private final String what;
    private final int blockBytes;
    private final Semaphore inFlight;
    private final Executor transfers;
    private final long startedMillis = System.currentTimeMillis();
    private final List<String> blockIds = new ArrayList<>();
    private final List<CompletableFuture<Void>> staged = new ArrayList<>();
    private final ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    private byte[] buf;
    private int len;
    private boolean done;

    AzureUpload(BlockBlobClient blob, String what, int blockBytes, int blocksInFlight, Executor transfers) {
        this.blob = blob;
        this.what = what;
        this.blockBytes = blockBytes;
        this.inFlight = new Semaphore(blocksInFlight);
        this.transfers = transfers;
        this.buf = new byte[Math.min(blockBytes, 64 * 1024)]; // grows to a block: small blobs stay small
    }

    @Override
    public void write(int b) throws IOException {
        ensureOpen();
        if (len == buf.length) buf = Arrays.copyOf(buf, Math.min(blockBytes, buf.length * 4)); // below a block: grows
        buf[len++] = (byte) b;
        if (len == blockBytes) stageBlock();
    }

    @Override
    public void write(byte[] b, int off, int n) throws IOException {
        ensureOpen();
        while (n > 0) {
            if (len == buf.length && buf.length < blockBytes) buf = Arrays.copyOf(buf, Math.min(blockBytes, buf.length * 4));
            int k = Math.min(n, buf.length - len);
            System.arraycopy(b, off, buf, len, k);
            len += k;
            off += k;
            n -= k;
            if (len == blockBytes) stageBlock();
        }
    }

    private void ensureOpen() throws IOException {
        if (done) throw new IOException("upload already closed or aborted");
        Throwable f = failures.peek();
        if (f != null) throw failed(f);
    }

    private IOException failed(Throwable f) {
        Throwable c = f instanceof CompletionException && f.getCause() != null ? f.getCause() : f;
        return c instanceof IOException io ? io : new IOException(what + " failed: " + FailureText.of(c), c);
    }

    private void stageBlock() throws IOException {
        if (blockIds.size() == BlockIds.MAX_BLOCKS) throw new IOException(what + ": more than " + BlockIds.MAX_BLOCKS + " blocks (raise blockBytes)");
        try {
            inFlight.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted waiting for a block upload slot");
        }
        String id = BlockIds.of(startedMillis, blockIds.size());
        blockIds.add(id);
        BinaryData data = BinaryData.fromByteBuffer(ByteBuffer.wrap(buf, 0, len));
        buf = new byte[blockBytes];
        len = 0;
        int number = blockIds.size();
        staged.add(CompletableFuture.runAsync(() -> {
            try {
                blob.stageBlock(id, data);
            } catch (RuntimeException e) {
                IOException io = AzureFailures.io(what + ", block " + number, e);
                failures.add(io);
                throw new CompletionException(io);
            } finally {
                inFlight.release();
            }
        }, transfers));
    }

    /** Waits until the blocks staged so far are stored (bytes short of a block go with the next one or {@link #close()}). */
    @Override
    public void flush() throws IOException {
        ensureOpen();
        awaitStaged();
    }

    private void awaitStaged() throws IOException {
        try {
            for (CompletableFuture<Void> f : staged) f.get();
        } catch (ExecutionException e) {
            throw failed(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted waiting for block uploads");
        }
    }

    /** Makes the blob visible: the last block and the block list, or one Put Blob. */
    @Override
    public void close() throws IOException {
        if (done) return;
        ensureOpen();
        done = true;
        boolean published = false;
        try {
            if (blockIds.isEmpty()) {
                blob.upload(BinaryData.fromByteBuffer(ByteBuffer.wrap(buf, 0, len)), true);
            } else {
                if (len > 0) stageBlock();
                awaitStaged();
                blob.commitBlockList(blockIds, true);
            }
            published = true;
        } catch (RuntimeException e) {
            throw AzureFailures.io(what, e);
        } finally {
            buf = null;
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

    /** Waits for the blocks in flight (one landing later would stay), then drops the staged ones. */
    private void discard() {
        if (blockIds.isEmpty()) return;
        for (CompletableFuture<Void> f : staged) {
            try {
                f.join();
            } catch (RuntimeException failedAnyway) {
                // nothing stored for it
            }
        }
        try {
            StagedBlocks.discard(blob);
        } catch (RuntimeException e) {
            // The service is away: the store's sweep drops them after their time (Azure itself after 7 days).
            LOG.log(System.Logger.Level.DEBUG, "could not discard the staged blocks of an aborted upload: " + AzureFailures.describe(e));
        }
    }
}
