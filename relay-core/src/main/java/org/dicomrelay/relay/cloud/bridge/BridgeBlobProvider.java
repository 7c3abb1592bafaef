package org.dicomrelay.relay.cloud.bridge;

import org.dicomrelay.relay.cloud.BlobStore;
import org.dicomrelay.relay.cloud.BridgeNotifications;
import org.dicomrelay.relay.cloud.BridgeTransport;
import org.dicomrelay.relay.cloud.CloudProvider;
import org.dicomrelay.relay.cloud.Notifications;

import java.util.Map;

/**
 * Cloud IO "bridge", the default: blobs stored at the Bridge over its API ({@link BridgeBlobStore}),
 * notifications through its inbox ({@link BridgeNotifications}). Two routers need nothing but the
 * Bridge's address; everything they store there is already sealed end to end. No settings.
 */
public final class BridgeBlobProvider implements CloudProvider {
    public static final String NAME = "bridge";

    @Override
    public String name() {
        return NAME;
    }

    /** @throws IllegalArgumentException always: this provider stores through the router's Bridge connection */
    @Override
    public BlobStore blobStore(Map<String, String> settings) {
        throw new IllegalArgumentException("Cloud IO provider '" + NAME + "' stores through the router's Bridge connection, and none was given");
    }

    @Override
    public BlobStore blobStore(Map<String, String> settings, BridgeTransport bridge) {
        if (bridge == null) return blobStore(settings);
        return new BridgeBlobStore(bridge);
    }

    @Override
    public Notifications notifications(Map<String, String> settings, String routerId, BridgeTransport bridge) {
        if (bridge == null) {
            throw new IllegalArgumentException("Cloud IO provider '" + NAME + "' notifies through the Bridge, but no Bridge connection was given");
        }
        return new BridgeNotifications(bridge);
    }
}
