package org.dicomrelay.relay.bridge;

import java.util.Map;

/**
 * Which Cloud IO provider the Bridge assigned to a router, and its non-secret settings (bucket,
 * region, root folder...). Credentials never come from the Bridge: the router adds its own.
 */
public record ProviderAssignment(String name, Map<String, String> settings) {
    public ProviderAssignment {
        if (name == null || name.isEmpty()) throw new IllegalArgumentException("provider name is missing");
        settings = Map.copyOf(settings);
    }
}
