package org.dicomrelay.providers.s3;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import org.dicomrelay.dicom.net.FailureText;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

/**
 * A blob read as ranges of one part each: the first tells the size and ETag, then up to
 * {@code partsInFlight} further ranges are fetched in parallel, each pinned to that ETag (a blob
 * replaced meanwhile fails the read instead of mixing two blobs), and delivered in order.
 */
final class RangedDownload extends InputStream {
    private final S3Client s3;
    private final String bucket;
    private final String key;
    private final String etag;
    private final long size;
    private final int partBytes;
    private final int partsInFlight;
    private final Executor transfers;
    private final ArrayDeque<CompletableFuture<byte[]>> ahead = new ArrayDeque<>();
    private long nextOffset;
    private byte[] current;
    private int pos;
    private boolean closed;

    private RangedDownload(S3Client s3, String bucket, String key, GetObjectResponse first, byte[] firstBytes, int partBytes,
                           int partsInFlight, Executor transfers) {
        this.s3 = s3;
        this.bucket = bucket;
        this.key = key;
        this.etag = first.eTag();
        this.size = totalSize(first, firstBytes.length);
        this.partBytes = partBytes;
        this.partsInFlight = partsInFlight;
        this.transfers = transfers;
        this.current = firstBytes;
        this.nextOffset = firstBytes.length;
    }

    static InputStream open(S3Client s3, String bucket, String key, int partBytes, int partsInFlight, Executor transfers) throws IOException {
        String what = "S3 download of a blob from bucket '" + bucket + "'";
        ResponseBytes<GetObjectResponse> first;
        try {
            first = s3.getObjectAsBytes(r -> r.bucket(bucket).key(key).range("bytes=0-" + (partBytes - 1)));
        } catch (SdkException e) {
            if (AwsFailures.isNotFound(e)) throw AwsFailures.notFound(what, e);
            if (!AwsFailures.isStatus(e, 416)) throw AwsFailures.io(what, e);
            try { // an empty blob has no byte 0 to range over
                first = s3.getObjectAsBytes(r -> r.bucket(bucket).key(key));
            } catch (SdkException again) {
                if (AwsFailures.isNotFound(again)) throw AwsFailures.notFound(what, again);
                throw AwsFailures.io(what, again);
            }
        }
        return new RangedDownload(s3, bucket, key, first.response(), first.asByteArrayUnsafe(), partBytes, partsInFlight, transfers);
    }

    /** From "bytes 0-99/1234"; a server that ignored the range sent it all. */
    private static long totalSize(GetObjectResponse r, int got) {
        String range = r.contentRange();
        if (range != null) {
            int slash = range.lastIndexOf('/');
            if (slash >= 0 && !range.endsWith("*")) return Long.parseLong(range.substring(slash + 1).trim());
        }
        return got;
    }

    private void fetchAhead() {
        while (ahead.size() < partsInFlight && nextOffset < size) {
            long from = nextOffset;
            long to = Math.min(size, from + partBytes) - 1;
            nextOffset = to + 1;
            ahead.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return s3.getObjectAsBytes(r -> r.bucket(bucket).key(key).ifMatch(etag).range("bytes=" + from + "-" + to)).asByteArrayUnsafe();
                } catch (SdkException e) {
                    throw new CompletionException(AwsFailures.io("S3 download of bytes " + from + "-" + to + " of a blob from bucket '" + bucket + "'", e));
                }
            }, transfers));
        }
    }

    /** The next part in order, or false at the end. */
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
            throw c instanceof IOException io ? io : new IOException("S3 download failed: " + FailureText.of(c), c);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted waiting for a part download");
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
        java.util.Objects.checkFromIndexSize(off, len, b.length);
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
