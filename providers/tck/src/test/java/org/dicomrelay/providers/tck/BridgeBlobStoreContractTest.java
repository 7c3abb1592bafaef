package org.dicomrelay.providers.tck;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.dicomrelay.relay.bridge.BridgeClient;
import org.dicomrelay.relay.cloud.BlobStore;
import org.dicomrelay.relay.cloud.CloudProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** The Cloud IO blob store contract for provider "bridge", the default: a real Bridge, blobs from router A for router B. */
class BridgeBlobStoreContractTest extends BlobStoreContract {
    private static final int PART = 1 << 20;
    @TempDir
    static Path dataDir;
    private static BridgeFixture bridge;
    private static BridgeClient a;
    private static BridgeClient b;
    private static String routerB;

    @BeforeAll
    static void startBridge() throws Exception {
        bridge = new BridgeFixture(dataDir, Duration.ofSeconds(30));
        a = bridge.client("tck-a-" + UUID.randomUUID().toString().substring(0, 8));
        routerB = "tck-b-" + UUID.randomUUID().toString().substring(0, 8);
        b = bridge.client(routerB);
    }

    @AfterAll
    static void stopBridge() {
        if (bridge != null) bridge.close();
    }

    private static BlobStore store(BridgeClient client) throws IOException {
        return CloudProvider.named("bridge").blobStore(Map.of("partBytes", Integer.toString(PART), "partsInFlight", "3"), client);
    }

    @Override
    protected BlobStore openStore() throws IOException {
        return store(a);
    }

    @Override
    protected BlobStore openReader() throws IOException {
        return store(b);
    }

    @Override
    protected String recipient() {
        return routerB;
    }

    @Override
    protected int partBytes() {
        return PART;
    }

    @Override
    protected Set<String> leftovers() throws IOException {
        Path blobs = bridge.dataDir.resolve("blobs");
        if (!Files.exists(blobs)) return Set.of();
        try (Stream<Path> files = Files.walk(blobs)) {
            return files.filter(Files::isRegularFile).map(p -> blobs.relativize(p).toString()).collect(Collectors.toSet());
        }
    }

    @Override
    protected BlobStore openUnreachableStore() throws Exception {
        return store(bridge.unreachableClient("tck-u-" + UUID.randomUUID().toString().substring(0, 8)));
    }
}
