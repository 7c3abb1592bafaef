package org.dicomrelay.relay.cloud.bridge;

import org.dicomrelay.relay.cloud.BlobAccount;
import org.dicomrelay.relay.cloud.BlobPart;
import org.dicomrelay.relay.cloud.BlobRangeSink;
import org.dicomrelay.relay.cloud.BridgeTransport;
import org.dicomrelay.relay.cloud.Notifications;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** The Bridge's blob calls as the client makes them, recorded; blobs kept in memory unless {@code discard}. */
class FakeBlobBridge implements BridgeTransport {
    record Part(String name, String to, int index, int length, int bufferLength, boolean last) {}

    final int partBytes;
    final boolean discard;
    final List<Part> parts = new ArrayList<>();
    final List<String> deleted = new ArrayList<>();
    /** Where each range asked for starts. */
    final List<Long> ranges = java.util.Collections.synchronizedList(new ArrayList<>());
    final Map<String, ByteArrayOutputStream> blobs = new HashMap<>();
    int accountCalls;
    IOException failPart;

    FakeBlobBridge(int partBytes, boolean discard) {
        this.partBytes = partBytes;
        this.discard = discard;
    }

    @Override public void publish(String r, byte[] m) { throw new UnsupportedOperationException(); }
    @Override public List<Notifications.Notification> poll(Duration t) { throw new UnsupportedOperationException(); }
    @Override public void ack(String id) { throw new UnsupportedOperationException(); }

    @Override public BlobAccount blobAccount() {
        accountCalls++;
        return new BlobAccount(partBytes, Long.MAX_VALUE, 0);
    }

    @Override public CompletableFuture<Void> putBlobPart(BlobPart p) {
        parts.add(new Part(p.name(), p.recipient(), p.index(), p.length(), p.data().length, p.last()));
        if (failPart != null) return CompletableFuture.failedFuture(failPart);
        if (!discard) blobs.computeIfAbsent(p.name(), k -> new ByteArrayOutputStream()).write(p.data(), 0, p.length());
        return CompletableFuture.completedFuture(null);
    }

    @Override public InputStream openBlob(String name) throws IOException {
        ByteArrayOutputStream b = blobs.get(name);
        if (b == null) throw new FileNotFoundException(name);
        return new ByteArrayInputStream(b.toByteArray());
    }

    /** Serves the range at once, from the blob in memory, in one buffer; the blob's size known (complete). */
    @Override public CompletableFuture<Void> readBlobRange(String name, long start, int length, BlobRangeSink sink) {
        ranges.add(start);
        ByteArrayOutputStream b = blobs.get(name);
        if (b == null) return CompletableFuture.failedFuture(new FileNotFoundException(name));
        byte[] all = b.toByteArray();
        try {
            sink.started(all.length);
            int from = (int) Math.min(start, all.length);
            sink.accept(java.nio.ByteBuffer.wrap(all, from, (int) Math.min(length, all.length - from)));
            return CompletableFuture.completedFuture(null);
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override public void deleteBlob(String name) {
        deleted.add(name);
        blobs.remove(name);
    }
}
