package org.dicomrelay.relay.cloud.bridge;

import org.dicomrelay.relay.cloud.BlobNames;
import org.dicomrelay.relay.cloud.BlobStore;
import org.dicomrelay.relay.cloud.BridgeTransport;

import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;

/**
 * A {@link BlobStore} at the Bridge: an upload is sent in parts of at most the Bridge's part size
 * (learnt once from {@link BridgeTransport#blobAccount()}), one part buffered at a time; the last
 * part completes it. Only the recipient named at creation can read the blob; the sender or the
 * recipient can delete it. Closing the store leaves the Bridge connection open (the router owns it).
 */
public final class BridgeBlobStore implements BlobStore {
    private final BridgeTransport bridge;
    private volatile int partBytes;

    public BridgeBlobStore(BridgeTransport bridge) {
        this.bridge = Objects.requireNonNull(bridge, "bridge");
    }

    @Override
    public Upload create(String name, String recipientRouterId) throws IOException {
        BlobNames.check(name);
        Objects.requireNonNull(recipientRouterId, "recipientRouterId");
        return new PartUpload(bridge, name, recipientRouterId, partBytes());
    }

    private int partBytes() throws IOException {
        int p = partBytes;
        if (p == 0) partBytes = p = bridge.blobAccount().partBytes(); // the Bridge's setting; asked once
        return p;
    }

    @Override
    public InputStream open(String name) throws IOException {
        return bridge.openBlob(BlobNames.check(name));
    }

    @Override
    public void delete(String name) throws IOException {
        bridge.deleteBlob(BlobNames.check(name));
    }

    @Override
    public void close() {}
}
