package org.dicomrelay.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.SplittableRandom;
import org.dicomrelay.relay.bridge.BridgeClient;
import org.dicomrelay.relay.cloud.BlobNames;
import org.dicomrelay.relay.cloud.BlobStore;
import org.dicomrelay.relay.cloud.bridge.BridgeBlobStore;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9, point 1: a 256 MB blob up to the Bridge and back down in a JVM of 64 MB heap
 * (surefire execution "small-heap", -Xmx64m) holding the Bridge and both routers' clients: the
 * client sends one 8 MiB part at a time, the Bridge streams each to disk and the download to the
 * socket; nobody holds the blob.
 */
@Tag("small-heap")
class BlobSmallHeapTest {
    private static final long SIZE = 256L * 1024 * 1024;

    @TempDir
    Path dir;

    @Test
    void twoHundredFiftySixMegabytesThroughTheBridgeInASmallHeap() throws Exception {
        assertThat(Runtime.getRuntime().maxMemory()).isLessThan(80L << 20);
        try (TestBridge bridge = new TestBridge(dir.resolve("bridge"))) {
            BlobStore a = new BridgeBlobStore(bridge.client(bridge.enroll("a")));
            BridgeClient b = bridge.client(bridge.enroll("b"));
            String name = BlobNames.random();
            MessageDigest sent = MessageDigest.getInstance("SHA-256");
            SplittableRandom random = new SplittableRandom(9);
            byte[] chunk = new byte[64 * 1024];
            try (BlobStore.Upload up = a.create(name, "b")) {
                for (long n = 0; n < SIZE; n += chunk.length) {
                    for (int i = 0; i < chunk.length; i += 8) {
                        long v = random.nextLong();
                        for (int k = 0; k < 8; k++) chunk[i + k] = (byte) (v >>> (8 * k));
                    }
                    sent.update(chunk);
                    up.write(chunk);
                }
            }
            assertThat(Files.size(dir.resolve("bridge/blobs").resolve(name.substring(0, 2)).resolve(name)))
                    .isEqualTo(SIZE);
            MessageDigest received = MessageDigest.getInstance("SHA-256");
            long total = 0;
            try (InputStream in = b.openBlob(name)) {
                int n;
                while ((n = in.read(chunk)) > 0) {
                    received.update(chunk, 0, n);
                    total += n;
                }
            }
            assertThat(total).isEqualTo(SIZE);
            assertThat(received.digest()).isEqualTo(sent.digest());
            b.deleteBlob(name);
        }
    }
}
