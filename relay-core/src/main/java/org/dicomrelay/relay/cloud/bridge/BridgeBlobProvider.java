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
 * Bridge's address; everything they store there is already sealed end to end. Optional settings:
 * {@code partBytes} (default {@link BridgeBlobStore#DEFAULT_PART_BYTES}) and {@code partsInFlight}
 * (default {@link BridgeBlobStore#DEFAULT_PARTS_IN_FLIGHT}) of an upload; {@code rangeBytes} (default
 * {@link BridgeBlobStore#DEFAULT_RANGE_BYTES}) and {@code rangesInFlight} (default
 * {@link BridgeBlobStore#DEFAULT_RANGES_IN_FLIGHT}; 1: one GET, no ranges) of a download.
 */
public final class BridgeBlobProvider implements CloudProvider {
    public static final String NAME = "bridge";
    public static final String PART_BYTES = "partBytes";
    public static final String PARTS_IN_FLIGHT = "partsInFlight";
    public static final String RANGE_BYTES = "rangeBytes";
    public static final String RANGES_IN_FLIGHT = "rangesInFlight";

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
        return new BridgeBlobStore(bridge, positive(settings, PART_BYTES, BridgeBlobStore.DEFAULT_PART_BYTES),
                positive(settings, PARTS_IN_FLIGHT, BridgeBlobStore.DEFAULT_PARTS_IN_FLIGHT),
                positive(settings, RANGE_BYTES, BridgeBlobStore.DEFAULT_RANGE_BYTES),
                positive(settings, RANGES_IN_FLIGHT, BridgeBlobStore.DEFAULT_RANGES_IN_FLIGHT));
    }

    private static int positive(Map<String, String> settings, String key, int fallback) {
        String v = settings.get(key);
        if (v == null) return fallback;
        try {
            int n = Integer.parseInt(v.trim());
            if (n >= 1) return n;
        } catch (NumberFormatException e) {
            // said below
        }
        throw new IllegalArgumentException("Cloud IO provider '" + NAME + "': setting '" + key + "' must be a positive whole number, not '" + v + "'");
    }

    @Override
    public Notifications notifications(Map<String, String> settings, String routerId, BridgeTransport bridge) {
        if (bridge == null) {
            throw new IllegalArgumentException("Cloud IO provider '" + NAME + "' notifies through the Bridge, but no Bridge connection was given");
        }
        return new BridgeNotifications(bridge);
    }
}
