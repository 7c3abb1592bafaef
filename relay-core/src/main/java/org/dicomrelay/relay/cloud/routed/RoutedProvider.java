package org.dicomrelay.relay.cloud.routed;

import java.io.IOException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import org.dicomrelay.relay.cloud.BlobStore;
import org.dicomrelay.relay.cloud.BridgeTransport;
import org.dicomrelay.relay.cloud.CloudProvider;
import org.dicomrelay.relay.cloud.Notifications;

/**
 * Cloud IO "routed": mixed clouds. This router reads from its {@code home} provider; a blob and
 * its notification for another router go to the provider that router reads from
 * ({@code peer.<routerId>}), so routers on different clouds (A on S3/SQS, B on Azure) exchange.
 * A router needs credentials for each provider its peers read from (in router.yaml, under the
 * provider's name, never from the Bridge): to write there, not to read.
 */
public final class RoutedProvider implements CloudProvider {
    public static final String NAME = "routed";

    @Override
    public String name() {
        return NAME;
    }

    /** The secret settings of every other provider on the class path, under its name. */
    @Override
    public Set<String> secretSettings() {
        Set<String> secrets = new HashSet<>();
        for (CloudProvider p : ServiceLoader.load(CloudProvider.class)) {
            if (p.name().equals(NAME)) continue;
            for (String s : p.secretSettings()) secrets.add(p.name() + "." + s);
        }
        return secrets;
    }

    @Override
    public BlobStore blobStore(Map<String, String> settings) throws IOException {
        return blobStore(settings, null);
    }

    @Override
    public BlobStore blobStore(Map<String, String> settings, BridgeTransport bridge) throws IOException {
        RoutedSettings s = RoutedSettings.of(settings);
        Map<String, BlobStore> stores = new HashMap<>();
        try {
            for (String provider : s.providers()) stores.put(provider, provider(provider).blobStore(s.of(provider), bridge));
        } catch (IOException | RuntimeException e) {
            for (BlobStore opened : stores.values()) opened.close();
            throw e;
        }
        return new RoutedBlobStore(s, stores);
    }

    @Override
    public Notifications notifications(Map<String, String> settings, String routerId, BridgeTransport bridge) throws IOException {
        RoutedSettings s = RoutedSettings.of(settings);
        Map<String, Notifications> inboxes = new HashMap<>();
        try {
            for (String provider : s.providers()) inboxes.put(provider, provider(provider).notifications(s.of(provider), routerId, bridge));
        } catch (IOException | RuntimeException e) {
            for (Notifications opened : inboxes.values()) opened.close();
            throw e;
        }
        return new RoutedNotifications(s, inboxes);
    }

    private static CloudProvider provider(String name) {
        if (name.equals(NAME)) throw new IllegalArgumentException("Cloud IO provider 'routed' cannot route through itself");
        return CloudProvider.named(name);
    }
}
