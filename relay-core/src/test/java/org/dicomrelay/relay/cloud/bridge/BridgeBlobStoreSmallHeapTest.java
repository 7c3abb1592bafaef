package org.dicomrelay.relay.cloud.bridge;

import org.dicomrelay.relay.cloud.BlobNames;
import org.dicomrelay.relay.cloud.BlobStore;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A 256 MB upload in parts of 8 MiB (the Bridge's largest), three in flight, through a 64 MB heap
 * (surefire execution "small-heap", -Xmx64m): the client holds a few parts, never the blob.
 */
@Tag("small-heap")
class BridgeBlobStoreSmallHeapTest {
    @Test
    void twoHundredFiftySixMegabytesGoInPartsThroughASmallHeap() throws IOException {
        assertThat(Runtime.getRuntime().maxMemory()).isLessThan(80L << 20);
        int part = 8 * 1024 * 1024;
        FakeBlobBridge bridge = new FakeBlobBridge(part, true);
        byte[] chunk = new byte[64 * 1024];
        try (BlobStore.Upload up = new BridgeBlobStore(bridge, part, 3).create(BlobNames.random(), "hospital-b")) {
            for (int i = 0; i < 256 * 16; i++) up.write(chunk);
        }
        assertThat(bridge.parts).hasSize(32);
        assertThat(bridge.parts).allSatisfy(p -> assertThat(p.length()).isEqualTo(part));
    }
}
