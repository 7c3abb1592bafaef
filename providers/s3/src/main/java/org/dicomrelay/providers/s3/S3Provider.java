package org.dicomrelay.providers.s3;

import java.util.Map;
import java.util.Set;
import org.dicomrelay.relay.cloud.BlobStore;
import org.dicomrelay.relay.cloud.BridgeNotifications;
import org.dicomrelay.relay.cloud.BridgeTransport;
import org.dicomrelay.relay.cloud.CloudProvider;
import org.dicomrelay.relay.cloud.Notifications;

/**
 * Cloud IO "s3": blobs in an S3-compatible bucket ({@link S3BlobStore}); notifications on SQS
 * ({@link SqsNotifications}, setting {@code inbox: sqs}, the default) or through the Bridge
 * ({@code inbox: bridge}, for S3-compatible stores without a queue service).
 */
public final class S3Provider implements CloudProvider {
    public static final String NAME = "s3";
    public static final String INBOX = "inbox";

    @Override
    public String name() {
        return NAME;
    }

    /** Credentials come from router.yaml or the SDK's default chain, never from the Bridge. */
    @Override
    public Set<String> secretSettings() {
        return Set.of(S3Settings.ACCESS_KEY_ID, S3Settings.SECRET_ACCESS_KEY);
    }

    @Override
    public BlobStore blobStore(Map<String, String> settings) {
        return new S3BlobStore(S3Settings.of(settings));
    }

    @Override
    public Notifications notifications(Map<String, String> settings, String routerId, BridgeTransport bridge) {
        String inbox = settings.getOrDefault(INBOX, "sqs").trim();
        switch (inbox) {
            case "sqs":
                return new SqsNotifications(SqsSettings.of(settings), routerId);
            case "bridge":
                if (bridge == null) throw new IllegalArgumentException("Cloud IO provider 's3' with inbox 'bridge' needs the router's Bridge connection");
                return new BridgeNotifications(bridge);
            default:
                throw new IllegalArgumentException("Cloud IO provider 's3': setting '" + INBOX + "' must be 'sqs' or 'bridge', not '" + inbox + "'");
        }
    }
}
