package org.dicomrelay.relay.cloud.fs;

import org.dicomrelay.relay.cloud.BlobStore;
import org.dicomrelay.relay.cloud.BridgeNotifications;
import org.dicomrelay.relay.cloud.BridgeTransport;
import org.dicomrelay.relay.cloud.CloudProvider;
import org.dicomrelay.relay.cloud.Notifications;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Cloud IO "filesystem": blobs in a folder (setting {@code root}, typically a shared mount),
 * notifications through the Bridge ({@link BridgeNotifications}).
 */
public final class FileSystemProvider implements CloudProvider {
    public static final String NAME = "filesystem";
    public static final String ROOT = "root";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public BlobStore blobStore(Map<String, String> settings) throws IOException {
        String root = settings.get(ROOT);
        if (root == null || root.isBlank()) {
            throw new IllegalArgumentException("Cloud IO provider '" + NAME + "' needs the setting '" + ROOT + "'");
        }
        return new FileSystemBlobStore(Path.of(root));
    }

    @Override
    public Notifications notifications(Map<String, String> settings, String routerId, BridgeTransport bridge) {
        if (bridge == null) {
            throw new IllegalArgumentException("Cloud IO provider '" + NAME + "' notifies through the Bridge, but no Bridge connection was given");
        }
        return new BridgeNotifications(bridge);
    }
}
