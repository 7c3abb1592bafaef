package org.dicomrelay.providers.azure;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.models.BlobItem;
import com.azure.storage.blob.models.BlobListDetails;
import com.azure.storage.blob.models.ListBlobsOptions;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.dicomrelay.providers.emulators.AzuriteServer;
import org.dicomrelay.providers.tck.BlobStoreContract;
import org.dicomrelay.relay.cloud.BlobStore;
import org.dicomrelay.relay.cloud.CloudProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The Cloud IO blob store contract for provider "azure" against Azurite's blob service (block blobs, 64 KiB blocks). */
class AzureBlobStoreContractTest extends BlobStoreContract {
    private static final String CONTAINER = "tck-blobs";
    private static final int BLOCK_BYTES = AzureSettings.MIN_BLOCK_BYTES;
    private static AzuriteServer azurite;
    private static BlobContainerClient admin;

    @BeforeAll
    static void startAzurite() throws Exception {
        assumeTrue(AzuriteServer.unavailable().isEmpty(), () -> AzuriteServer.unavailable().orElse(""));
        azurite = new AzuriteServer();
        admin = AzureClients.container(AzureSettings.of(azurite.settings(CONTAINER)));
        admin.create();
    }

    @AfterAll
    static void stopAzurite() {
        try {
            if (admin != null) admin.delete();
        } finally {
            if (azurite != null) azurite.close();
        }
    }

    private static Map<String, String> settings() {
        Map<String, String> s = new HashMap<>(azurite.settings(CONTAINER));
        s.put(AzureSettings.BLOCK_BYTES, Integer.toString(BLOCK_BYTES));
        s.put(AzureSettings.BLOCKS_IN_FLIGHT, "3");
        return s;
    }

    @Override
    protected BlobStore openStore() throws Exception {
        return CloudProvider.named("azure").blobStore(settings());
    }

    @Override
    protected int partBytes() {
        return BLOCK_BYTES;
    }

    /** Committed blobs and names that hold only uncommitted blocks. */
    @Override
    protected Set<String> leftovers() {
        Set<String> left = new HashSet<>();
        ListBlobsOptions all = new ListBlobsOptions().setDetails(new BlobListDetails().setRetrieveUncommittedBlobs(true));
        for (BlobItem b : admin.listBlobs(all, null)) left.add(b.getName());
        return left;
    }

    @Override
    protected BlobStore openUnreachableStore() throws Exception {
        Map<String, String> s = settings();
        s.put(AzureSettings.BLOB_ENDPOINT, "http://127.0.0.1:1/" + AzuriteServer.ACCOUNT);
        return CloudProvider.named("azure").blobStore(s);
    }
}
