package org.dicomrelay.providers.azure;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

/**
 * The settings of Cloud IO "azure" (router.yaml's {@code cloud.settings}, over the Bridge's
 * non-secret assignment). Credentials, the first given wins: {@code connectionString};
 * {@code accountName} + {@code accountKey}; {@code sasToken}; else the SDK's environment
 * ({@code AZURE_STORAGE_CONNECTION_STRING}, or {@code AZURE_STORAGE_ACCOUNT} + {@code AZURE_STORAGE_KEY},
 * or {@code AZURE_STORAGE_SAS_TOKEN}: {@link AzureCredentials}).
 *
 * @param blobEndpoint    the blob service (default {@code https://<account>.blob.core.windows.net}, or the connection string's);
 *                        Azurite's is {@code http://127.0.0.1:<port>/devstoreaccount1}
 * @param queueEndpoint   the queue service, likewise
 * @param container       where blobs live (must exist)
 * @param prefix          blob name prefix for this relay (default none)
 * @param blockBytes      size of the staged blocks a blob is uploaded and downloaded in
 * @param blocksInFlight  blocks uploaded or ranges downloaded in parallel per blob
 * @param transferThreads block transfers of all blobs at once (the store's thread bound)
 * @param queuePrefix     a router's inbox queue is {@code queuePrefix + routerId} ({@link QueueNames})
 * @param visibilityTimeout how long a received notification stays invisible to other receives
 * @param createQueue     a router creates its own inbox queue on first use
 */
public record AzureSettings(URI blobEndpoint, URI queueEndpoint, String container, String prefix, int blockBytes, int blocksInFlight,
                            int transferThreads, String queuePrefix, Duration visibilityTimeout, boolean createQueue,
                            AzureCredentials credentials) {
    public static final String BLOB_ENDPOINT = "blobEndpoint";
    public static final String QUEUE_ENDPOINT = "queueEndpoint";
    public static final String CONTAINER = "container";
    public static final String PREFIX = "prefix";
    public static final String BLOCK_BYTES = "blockBytes";
    public static final String BLOCKS_IN_FLIGHT = "blocksInFlight";
    public static final String TRANSFER_THREADS = "transferThreads";
    public static final String QUEUE_PREFIX = "queuePrefix";
    public static final String VISIBILITY_SECONDS = "visibilitySeconds";
    public static final String CREATE_QUEUE = "createQueue";

    public static final int MIN_BLOCK_BYTES = 64 * 1024;
    /** Azure's largest block is 4000 MiB; a block is held in memory, so far less. */
    public static final int MAX_BLOCK_BYTES = 256 * 1024 * 1024;
    public static final int DEFAULT_BLOCK_BYTES = 4 * 1024 * 1024;
    public static final int DEFAULT_BLOCKS_IN_FLIGHT = 4;
    public static final int DEFAULT_TRANSFER_THREADS = 16;
    /** Azure Queue's longest visibility timeout is 7 days. */
    private static final long MAX_VISIBILITY_SECONDS = 7 * 24 * 3600;

    public AzureSettings {
        prefix = prefix == null ? "" : prefix;
        if (queuePrefix == null) queuePrefix = "dicom-relay-";
        if (!queuePrefix.matches("([a-z0-9]+-?){0,8}") || queuePrefix.length() > 16) {
            throw new IllegalArgumentException("Cloud IO provider 'azure': '" + QUEUE_PREFIX + "' must be at most 16 of [a-z0-9-], "
                    + "starting with a letter or digit, without two hyphens in a row");
        }
        if (blockBytes < MIN_BLOCK_BYTES || blockBytes > MAX_BLOCK_BYTES) {
            throw new IllegalArgumentException("Cloud IO provider 'azure': '" + BLOCK_BYTES + "' must be " + MIN_BLOCK_BYTES + " to " + MAX_BLOCK_BYTES);
        }
        if (blocksInFlight < 1) throw new IllegalArgumentException("Cloud IO provider 'azure': '" + BLOCKS_IN_FLIGHT + "' must be at least 1");
        if (transferThreads < 1) throw new IllegalArgumentException("Cloud IO provider 'azure': '" + TRANSFER_THREADS + "' must be at least 1");
        long v = visibilityTimeout.toSeconds();
        if (v < 1 || v > MAX_VISIBILITY_SECONDS) {
            throw new IllegalArgumentException("Cloud IO provider 'azure': '" + VISIBILITY_SECONDS + "' must be 1 to " + MAX_VISIBILITY_SECONDS);
        }
    }

    /** The settings without {@code container}: for the inbox alone. */
    public static AzureSettings of(Map<String, String> s) {
        return new AzureSettings(uri(s.get(BLOB_ENDPOINT)), uri(s.get(QUEUE_ENDPOINT)), blankToNull(s.get(CONTAINER)), s.get(PREFIX),
                intOf(s, BLOCK_BYTES, DEFAULT_BLOCK_BYTES), intOf(s, BLOCKS_IN_FLIGHT, DEFAULT_BLOCKS_IN_FLIGHT),
                intOf(s, TRANSFER_THREADS, DEFAULT_TRANSFER_THREADS), blankToNull(s.get(QUEUE_PREFIX)),
                Duration.ofSeconds(intOf(s, VISIBILITY_SECONDS, 60)), Boolean.parseBoolean(s.getOrDefault(CREATE_QUEUE, "true").trim()),
                AzureCredentials.of(s, System::getenv));
    }

    /** The container, which the blob store needs. */
    public String requireContainer() {
        if (container == null) throw new IllegalArgumentException("Cloud IO provider 'azure' needs the setting '" + CONTAINER + "'");
        return container;
    }

    private static URI uri(String v) {
        String s = blankToNull(v);
        return s == null ? null : URI.create(s.endsWith("/") ? s.substring(0, s.length() - 1) : s);
    }

    static String blankToNull(String v) {
        return v == null || v.isBlank() ? null : v.trim();
    }

    static int intOf(Map<String, String> s, String key, int fallback) {
        String v = s.get(key);
        if (v == null || v.isBlank()) return fallback;
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Cloud IO setting '" + key + "' must be a whole number, not '" + v + "'");
        }
    }

    /** Never a secret: records print their components. */
    @Override
    public String toString() {
        return "AzureSettings[blobEndpoint=" + blobEndpoint + ", queueEndpoint=" + queueEndpoint + ", container=" + container + ", prefix=" + prefix
                + ", blockBytes=" + blockBytes + ", blocksInFlight=" + blocksInFlight + ", transferThreads=" + transferThreads + ", queuePrefix="
                + queuePrefix + ", visibilityTimeout=" + visibilityTimeout + ", createQueue=" + createQueue + ", credentials=" + credentials + "]";
    }
}
