package org.dicomrelay.relay.cloud.bridge;

import org.dicomrelay.relay.cloud.BlobNames;
import org.dicomrelay.relay.cloud.BlobStore;
import org.dicomrelay.relay.cloud.BridgeTransport;

import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;

/**
 * A {@link BlobStore} at the Bridge: an upload is sent in parts of at most {@link #DEFAULT_PART_BYTES}
 * (or the Bridge's part size if smaller, learnt once from {@link BridgeTransport#blobAccount()}),
 * up to {@link #DEFAULT_PARTS_IN_FLIGHT} at once; the last part completes it. The recipient can read
 * a blob while it is uploaded, from its first part stored on ({@link #readableWhileWriting()}).
 * Only the recipient named at creation can read the blob; the sender or the recipient can delete it.
 * Closing the store leaves the Bridge connection open (the router owns it).
 */
public final class BridgeBlobStore implements BlobStore {
    /**
     * The Bridge's default largest part. Measured (bench/relay.sh, 2 x 50 MB, loopback, 2 cores): the
     * relay is CPU-bound there, and each part costs CPU (a request, a commit), so 1 MiB parts took
     * 0.88-0.94 s, 4 MiB 0.82, 8 MiB 0.71-0.75; the recipient starts after the first part either way.
     */
    public static final int DEFAULT_PART_BYTES = 8 * 1024 * 1024;
    /**
     * Parts of one upload sent at once: keeps a link with latency busy while the Bridge answers one
     * (on loopback 1 and 2 measured alike); memory per upload is one more part than this.
     */
    public static final int DEFAULT_PARTS_IN_FLIGHT = 2;

    private final BridgeTransport bridge;
    private final int partBytesLimit;
    private final int partsInFlight;
    private volatile int partBytes;

    public BridgeBlobStore(BridgeTransport bridge) {
        this(bridge, DEFAULT_PART_BYTES, DEFAULT_PARTS_IN_FLIGHT);
    }

    /** Parts of at most {@code partBytes} (less if the Bridge takes less), {@code partsInFlight} of them at once. */
    public BridgeBlobStore(BridgeTransport bridge, int partBytes, int partsInFlight) {
        this.bridge = Objects.requireNonNull(bridge, "bridge");
        if (partBytes < 1) throw new IllegalArgumentException("partBytes must be positive");
        if (partsInFlight < 1) throw new IllegalArgumentException("partsInFlight must be at least 1");
        this.partBytesLimit = partBytes;
        this.partsInFlight = partsInFlight;
    }

    @Override
    public Upload create(String name, String recipientRouterId) throws IOException {
        BlobNames.check(name);
        Objects.requireNonNull(recipientRouterId, "recipientRouterId");
        return new PartUpload(bridge, name, recipientRouterId, partBytes(), partsInFlight);
    }

    private int partBytes() throws IOException {
        int p = partBytes;
        if (p == 0) partBytes = p = Math.min(partBytesLimit, bridge.blobAccount().partBytes()); // the Bridge's setting; asked once
        return p;
    }

    @Override
    public InputStream open(String name) throws IOException {
        return bridge.openBlob(BlobNames.check(name));
    }

    @Override
    public boolean readableWhileWriting() {
        return true;
    }

    @Override
    public void delete(String name) throws IOException {
        bridge.deleteBlob(BlobNames.check(name));
    }

    @Override
    public void close() {}
}
