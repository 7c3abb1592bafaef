package org.dicomrelay.providers.nats;

import java.io.IOException;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import org.dicomrelay.relay.cloud.BlobStore;
import org.dicomrelay.relay.cloud.BridgeTransport;
import org.dicomrelay.relay.cloud.CloudProvider;
import org.dicomrelay.relay.cloud.Notifications;

/**
 * Cloud IO "nats": notifications on NATS JetStream ({@link JetStreamNotifications}); blobs in the
 * store named by setting {@code blobs} (default "bridge": the Bridge's store; or "s3",
 * "filesystem", with that provider's own settings beside the {@code nats.} ones; or "nats": a NATS
 * Object Store bucket, {@link NatsObjectBlobStore}).
 */
public final class NatsProvider implements CloudProvider {
    public static final String NAME = "nats";
    public static final String BLOBS = "blobs";

    @Override
    public String name() {
        return NAME;
    }

    /** NATS credentials, and the secrets of whichever blob provider may be named: from router.yaml or the environment only. */
    @Override
    public Set<String> secretSettings() {
        Set<String> secret = new HashSet<>(Set.of(NatsCredentials.PASSWORD, NatsCredentials.TOKEN, NatsCredentials.NKEY_SEED, NatsCredentials.CREDS_FILE,
                NatsCredentials.USER));
        for (CloudProvider p : ServiceLoader.load(CloudProvider.class)) {
            // Not the provider "routed": it collects every provider's secrets, ours too (each would ask the other forever).
            if (!p.name().equals(NAME) && !p.name().equals(org.dicomrelay.relay.cloud.routed.RoutedProvider.NAME)) secret.addAll(p.secretSettings());
        }
        return Set.copyOf(secret);
    }

    @Override
    public BlobStore blobStore(Map<String, String> settings) throws IOException {
        return blobStore(settings, null);
    }

    @Override
    public BlobStore blobStore(Map<String, String> settings, BridgeTransport bridge) throws IOException {
        String blobs = settings.getOrDefault(BLOBS, "bridge").trim();
        if (blobs.equals(NAME)) {
            String hours = settings.getOrDefault(NatsObjectBlobStore.TTL_HOURS, "168").trim();
            try {
                return new NatsObjectBlobStore(NatsSettings.of(settings, System::getenv), settings.getOrDefault(NatsObjectBlobStore.BUCKET, "dicomrelay-blobs").trim(),
                        Duration.ofHours(Long.parseLong(hours)));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("Cloud IO setting '" + NatsObjectBlobStore.TTL_HOURS + "' must be a whole number, not '" + hours + "'");
            }
        }
        return CloudProvider.named(blobs).blobStore(settings, bridge);
    }

    @Override
    public Notifications notifications(Map<String, String> settings, String routerId, BridgeTransport bridge) {
        return new JetStreamNotifications(NatsSettings.of(settings, System::getenv), routerId);
    }
}
