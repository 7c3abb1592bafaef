package org.dicomrelay.providers.tck;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.dicomrelay.relay.cloud.BlobStore;
import org.dicomrelay.relay.cloud.CloudProvider;
import org.junit.jupiter.api.io.TempDir;

/** The Cloud IO blob store contract for provider "filesystem" (a folder; no parts). */
class FileSystemBlobStoreContractTest extends BlobStoreContract {
    @TempDir
    Path root;

    @Override
    protected BlobStore openStore() throws IOException {
        return CloudProvider.named("filesystem").blobStore(Map.of("root", root.toString()));
    }

    @Override
    protected int partBytes() {
        return 0;
    }

    @Override
    protected Set<String> leftovers() throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(Files::isRegularFile).map(p -> root.relativize(p).toString()).collect(Collectors.toSet());
        }
    }

    /** A folder that is away: its path is a file. */
    @Override
    protected BlobStore openUnreachableStore() throws IOException {
        Path notAFolder = Files.writeString(root.resolveSibling(root.getFileName() + "-not-a-folder"), "x");
        return CloudProvider.named("filesystem").blobStore(Map.of("root", notAFolder.toString()));
    }
}
