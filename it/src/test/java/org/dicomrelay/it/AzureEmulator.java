package org.dicomrelay.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.models.BlobItem;
import com.azure.storage.blob.models.BlobListDetails;
import com.azure.storage.blob.models.ListBlobsOptions;
import com.azure.storage.common.StorageSharedKeyCredential;
import com.azure.storage.queue.QueueServiceClient;
import com.azure.storage.queue.QueueServiceClientBuilder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.dicomrelay.providers.emulators.AzuriteServer;

/**
 * Azurite (blob and queue services) on 127.0.0.1 with a container for the relay, the routers'
 * {@code cloud} settings for Cloud IO "azure" (64 KiB blocks, so that small test objects still go
 * as several staged blocks) and checks that the relay left nothing.
 */
final class AzureEmulator implements AutoCloseable {
    static final String CONTAINER = "relay";

    private final AzuriteServer azurite;
    private final BlobContainerClient container;
    private final QueueServiceClient queues;
    private final List<String> routerIds = new ArrayList<>();

    AzureEmulator() throws Exception {
        azurite = new AzuriteServer();
        StorageSharedKeyCredential key = new StorageSharedKeyCredential(AzuriteServer.ACCOUNT, AzuriteServer.ACCOUNT_KEY);
        container = new BlobServiceClientBuilder().endpoint(azurite.blobEndpoint().toString()).credential(key).buildClient()
                .getBlobContainerClient(CONTAINER);
        container.create();
        queues = new QueueServiceClientBuilder().endpoint(azurite.queueEndpoint().toString()).credential(key).buildClient();
    }

    /** The routers' settings: block blobs in the container, notifications in Azure queues. */
    Map<String, String> routerSettings() {
        Map<String, String> settings = new HashMap<>(azurite.settings(CONTAINER));
        settings.put("blockBytes", Integer.toString(64 * 1024));
        settings.put("visibilitySeconds", "30");
        return settings;
    }

    /** Nothing of the relay left: no blob, no name holding uncommitted blocks, no message in these routers' queues. */
    void assertEmpty(String... routers) {
        ListBlobsOptions all = new ListBlobsOptions().setDetails(new BlobListDetails().setRetrieveUncommittedBlobs(true));
        assertThat(container.listBlobs(all, null).stream().map(BlobItem::getName).toList()).as("blobs and uncommitted blocks in the container")
                .isEmpty();
        for (String id : routers) {
            if (!routerIds.contains(id)) routerIds.add(id);
            assertThat(queues.getQueueClient(queue(id)).getProperties().getApproximateMessagesCount()).as("messages in the queue of " + id).isZero();
        }
    }

    private static String queue(String routerId) {
        return "dicom-relay-" + routerId;
    }

    /** Deletes the routers' queues (by name: Azurite 3.37 answers the SDK's List Queues with 400) and the container, then stops Azurite. */
    @Override public void close() {
        try {
            for (String id : routerIds) queues.getQueueClient(queue(id)).deleteIfExists();
            container.delete();
        } finally {
            azurite.close();
        }
    }
}
