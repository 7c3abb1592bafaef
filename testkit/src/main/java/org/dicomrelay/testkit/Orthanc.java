package org.dicomrelay.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Orthanc (Debian's 1.10.1) as a test PACS: DICOM only (no HTTP server), loopback-only through
 * the bind shim, every DICOM service allowed to any AE, move destinations from a map.
 */
public final class Orthanc implements AutoCloseable {
    public final Peers.Server server;
    public final Path storage;

    private Orthanc(Peers.Server server, Path storage) {
        this.server = server;
        this.storage = storage;
    }

    public int port() { return server.port; }

    public static Orthanc start(Path work, String aeTitle, Map<String, Integer> moveDestinations) throws IOException {
        Path storage = Files.createDirectories(work.resolve("orthanc-storage"));
        int port = Peers.freePort();
        String modalities = moveDestinations.entrySet().stream()
                .map(e -> "\"" + e.getKey().toLowerCase() + "\": [\"" + e.getKey() + "\", \"127.0.0.1\", " + e.getValue() + "]")
                .collect(Collectors.joining(", "));
        Path cfg = work.resolve("orthanc.json");
        Files.writeString(cfg, """
                {
                  "Name": "test-orthanc",
                  "StorageDirectory": "%s",
                  "IndexDirectory": "%s",
                  "StorageCompression": false,
                  "HttpServerEnabled": false,
                  "RemoteAccessAllowed": false,
                  "DicomServerEnabled": true,
                  "DicomAet": "%s",
                  "DicomPort": %d,
                  "DicomCheckCalledAet": true,
                  "UnknownSopClassAccepted": true,
                  "DicomAlwaysAllowEcho": true,
                  "DicomAlwaysAllowStore": true,
                  "DicomAlwaysAllowFind": true,
                  "DicomAlwaysAllowGet": true,
                  "DicomAlwaysAllowMove": true,
                  "DicomModalities": { %s },
                  "Plugins": []
                }
                """.formatted(storage, storage, aeTitle, port, modalities));
        return new Orthanc(Peers.startServer(List.of("Orthanc", cfg.toString()), port, work, Map.of()), storage);
    }

    @Override public void close() throws Exception {
        server.close();
    }
}
