package org.dicomrelay.relay.cloud.bridge;

import org.dicomrelay.relay.cloud.BlobNames;
import org.dicomrelay.relay.cloud.BlobStore;
import org.dicomrelay.relay.cloud.BridgeTransport;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Objects;

/**
 * A {@link BlobStore} at the Bridge: an upload is sent in parts of at most {@link #DEFAULT_PART_BYTES}
 * (or the Bridge's part size if smaller, learnt once from {@link BridgeTransport#blobAccount()}),
 * up to {@link #DEFAULT_PARTS_IN_FLIGHT} at once; the last part completes it. A download is one GET,
 * or ranges of {@code rangeBytes}, {@code rangesInFlight} at once ({@link RangedBlobInput}). The recipient can read
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
    /** A download's range, when ranges are used: memory per download is {@code rangesInFlight} of them. */
    public static final int DEFAULT_RANGE_BYTES = 4 * 1024 * 1024;
    /**
     * Ranges of one download requested at once; 1: one GET streams the blob, no ranges. Measured
     * (50 MB blobs over HTTPS, one JVM, 2 cores): P=1, 2, 4, 8 alike on loopback (0.13-0.14 s, the
     * CPU decides) and through the bench's emulated WAN (25 ms each way, 200 Mbit/s: 2.16-2.35 s,
     * the bandwidth bound is 2.1 s; one stream fills it). Ranges help where one TCP stream cannot
     * fill a link (a small window on a long path, a per-connection shaper): set it there.
     */
    public static final int DEFAULT_RANGES_IN_FLIGHT = 1;
    /** How long a download waits for a range to make progress (the Bridge cuts off a stalled upload's reader sooner). */
    private static final Duration RANGE_IDLE = Duration.ofMinutes(5);

    private final BridgeTransport bridge;
    private final int partBytesLimit;
    private final int partsInFlight;
    private final int rangeBytes;
    private final int rangesInFlight;
    private volatile int partBytes;

    public BridgeBlobStore(BridgeTransport bridge) {
        this(bridge, DEFAULT_PART_BYTES, DEFAULT_PARTS_IN_FLIGHT);
    }

    /** Parts of at most {@code partBytes} (less if the Bridge takes less), {@code partsInFlight} of them at once. */
    public BridgeBlobStore(BridgeTransport bridge, int partBytes, int partsInFlight) {
        this(bridge, partBytes, partsInFlight, DEFAULT_RANGE_BYTES, DEFAULT_RANGES_IN_FLIGHT);
    }

    /** As above; a download in ranges of {@code rangeBytes}, {@code rangesInFlight} at once (1: one GET). */
    public BridgeBlobStore(BridgeTransport bridge, int partBytes, int partsInFlight, int rangeBytes, int rangesInFlight) {
        this.bridge = Objects.requireNonNull(bridge, "bridge");
        if (partBytes < 1) throw new IllegalArgumentException("partBytes must be positive");
        if (partsInFlight < 1) throw new IllegalArgumentException("partsInFlight must be at least 1");
        if (rangeBytes < 1) throw new IllegalArgumentException("rangeBytes must be positive");
        if (rangesInFlight < 1) throw new IllegalArgumentException("rangesInFlight must be at least 1");
        this.partBytesLimit = partBytes;
        this.partsInFlight = partsInFlight;
        this.rangeBytes = rangeBytes;
        this.rangesInFlight = rangesInFlight;
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
        BlobNames.check(name);
        if (rangesInFlight == 1) return bridge.openBlob(name);
        return RangedBlobInput.open(bridge, name, rangeBytes, rangesInFlight, RANGE_IDLE);
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
