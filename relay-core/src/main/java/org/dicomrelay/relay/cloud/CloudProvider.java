package org.dicomrelay.relay.cloud;

import java.io.IOException;
import java.util.Map;
import java.util.Set;
import java.util.ServiceLoader;

/**
 * A Cloud IO provider, found with {@link ServiceLoader} by {@link #name()} ("bridge", the
 * default; "filesystem"; later "s3", "azure", "sqs", "nats"). Settings come from the Bridge (which provider a router uses)
 * and from the router's own configuration (credentials never leave the router).
 */
public interface CloudProvider {
    String name();

    BlobStore blobStore(Map<String, String> settings) throws IOException;

    /**
     * The blob store, for providers that store through the router's Bridge connection ("bridge");
     * the others ignore {@code bridge}.
     */
    default BlobStore blobStore(Map<String, String> settings, BridgeTransport bridge) throws IOException {
        return blobStore(settings);
    }

    /**
     * @param routerId whose inbox {@link Notifications#poll} reads
     * @param bridge   the router's Bridge connection, for providers that notify through it (may be unused)
     */
    Notifications notifications(Map<String, String> settings, String routerId, BridgeTransport bridge) throws IOException;

    /**
     * Settings that are secrets (credentials): taken from the router's own configuration only, never
     * from the Bridge's provider assignment, and never logged. None by default.
     */
    default Set<String> secretSettings() {
        return Set.of();
    }

    static CloudProvider named(String name) {
        for (CloudProvider p : ServiceLoader.load(CloudProvider.class)) {
            if (p.name().equals(name)) return p;
        }
        throw new IllegalArgumentException("no Cloud IO provider named '" + name + "' on the class path");
    }
}
