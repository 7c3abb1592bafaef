package org.dicomrelay.providers.azure;

import java.util.Map;
import java.util.Set;
import org.dicomrelay.relay.cloud.BlobStore;
import org.dicomrelay.relay.cloud.BridgeNotifications;
import org.dicomrelay.relay.cloud.BridgeTransport;
import org.dicomrelay.relay.cloud.CloudProvider;
import org.dicomrelay.relay.cloud.Notifications;

/**
 * Cloud IO "azure": blobs in an Azure Storage container ({@link AzureBlobStore}); notifications on
 * Azure Queue Storage ({@link QueueNotifications}, setting {@code inbox: queue}, the default) or
 * through the Bridge ({@code inbox: bridge}).
 */
public final class AzureProvider implements CloudProvider {
    public static final String NAME = "azure";
    public static final String INBOX = "inbox";

    @Override
    public String name() {
        return NAME;
    }

    /** Credentials come from router.yaml or the environment, never from the Bridge. */
    @Override
    public Set<String> secretSettings() {
        return Set.of(AzureCredentials.CONNECTION_STRING, AzureCredentials.ACCOUNT_KEY, AzureCredentials.SAS_TOKEN);
    }

    @Override
    public BlobStore blobStore(Map<String, String> settings) {
        return new AzureBlobStore(AzureSettings.of(settings));
    }

    @Override
    public Notifications notifications(Map<String, String> settings, String routerId, BridgeTransport bridge) {
        String inbox = settings.getOrDefault(INBOX, "queue").trim();
        switch (inbox) {
            case "queue":
                return new QueueNotifications(AzureSettings.of(settings), routerId);
            case "bridge":
                if (bridge == null) throw new IllegalArgumentException("Cloud IO provider 'azure' with inbox 'bridge' needs the router's Bridge connection");
                return new BridgeNotifications(bridge);
            default:
                throw new IllegalArgumentException("Cloud IO provider 'azure': setting '" + INBOX + "' must be 'queue' or 'bridge', not '" + inbox + "'");
        }
    }
}
