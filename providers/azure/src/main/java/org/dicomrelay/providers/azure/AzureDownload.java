package org.dicomrelay.providers.azure;

import com.azure.core.util.Context;
import com.azure.storage.blob.BlobClient;
import com.azure.storage.blob.models.BlobDownloadContentResponse;
import com.azure.storage.blob.models.BlobRange;
import com.azure.storage.blob.models.BlobRequestConditions;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import org.dicomrelay.dicom.net.FailureText;

/**
 * A blob read as ranges of one block each: the first tells the size and ETag, then up to
 * {@code rangesInFlight} further ranges are fetched in parallel, each pinned to that ETag (a blob
 * replaced meanwhile fails the read instead of mixing two blobs), and delivered in order.
 */
final class AzureDownload extends InputStream {
    private static final int INVALID_RANGE = 416;
    private static final int NOT_FOUND = 404;

    private final BlobClient blob;
    private final String what;
    private final String etag;
    private final long size;
    private final int rangeBytes;
    private final int rangesInFlight;
    private final Executor transfers;
    private final ArrayDeque<CompletableFuture<byte[]>> ahead = new ArrayDeque<>();
    private long nextOffset;
    private byte[] current;
    private int pos;
    private boolean closed;

    private AzureDownload(BlobClient blob, String what, BlobDownloadContentResponse first, int rangeBytes, int rangesInFlight, Executor transfers) {
        this.blob = blob;
        this.what = what;
        this.current = first.getValue().toBytes();
        this.etag = first.getDeserializedHeaders().getETag();
        this.size = totalSize(first.getDeserializedHeaders().getContentRange(), current.length);
        this.rangeBytes = rangeBytes;
        this.rangesInFlight = rangesInFlight;
        this.transfers = transfers;
        this.nextOffset = current.length;
    }

    static InputStream open(BlobClient blob, String what, int rangeBytes, int rangesInFlight, Executor transfers) throws IOException {
        BlobDownloadContentResponse first;
        try {
            first = blob.downloadContentWithResponse(null, null, new BlobRange(0, (long) rangeBytes), false, null, Context.NONE);
        } catch (RuntimeException e) {
            if (AzureFailures.status(e) == NOT_FOUND) throw AzureFailures.notFound(what, e);
            if (AzureFailures.status(e) != INVALID_RANGE) throw AzureFailures.io(what, e);
            try { // an empty blob has no byte 0 to range over
                first = blob.downloadContentWithResponse(null, null, null, Context.NONE);
            } catch (RuntimeException again) {
                if (AzureFailures.status(again) == NOT_FOUND) throw AzureFailures.notFound(what, again);
                throw AzureFailures.io(what, again);
            }
        }
        return new AzureDownload(blob, what, first, rangeBytes, rangesInFlight, transfers);
    }

    /** From "bytes 0-99/1234"; a whole-blob answer has no range. */
    private static long totalSize(String range, int got) {
        if (range != null) {
            int slash = range.lastIndexOf('/');
            if (slash >= 0 && !range.endsWith("*")) return Long.parseLong(range.substring(slash + 1).trim());
        }
        return got;
    }

    private void fetchAhead() {
        while (ahead.size() < rangesInFlight && nextOffset < size) {
            long from = nextOffset;
            long count = Math.min(size - from, rangeBytes);
            nextOffset = from + count;
            ahead.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return blob.downloadContentWithResponse(null, new BlobRequestConditions().setIfMatch(etag), new BlobRange(from, count), false,
                            null, Context.NONE).getValue().toBytes();
                } catch (RuntimeException e) {
                    throw new CompletionException(AzureFailures.io(what + ", bytes " + from + "-" + (from + count - 1), e));
                }
            }, transfers));
        }
    }

    /** The next range in order, or false at the end. */
    private boolean advance() throws IOException {
        if (closed) throw new IOException("stream closed");
        fetchAhead();
        CompletableFuture<byte[]> next = ahead.poll();
        if (next == null) return false;
        try {
            current = next.get();
            pos = 0;
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            throw c instanceof IOException io ? io : new IOException(what + " failed: " + FailureText.of(c), c);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted waiting for a range download");
        }
        fetchAhead();
        return true;
    }

    @Override
    public int read() throws IOException {
        while (current == null || pos == current.length) {
            if (!advance()) return -1;
        }
        return current[pos++] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) return 0;
        while (current == null || pos == current.length) {
            if (!advance()) return -1;
        }
        int n = Math.min(len, current.length - pos);
        System.arraycopy(current, pos, b, off, n);
        pos += n;
        return n;
    }

    @Override
    public int available() {
        return current == null ? 0 : current.length - pos;
    }

    @Override
    public void close() {
        closed = true;
        current = null;
        for (CompletableFuture<byte[]> f : ahead) f.cancel(true);
        ahead.clear();
    }
}
