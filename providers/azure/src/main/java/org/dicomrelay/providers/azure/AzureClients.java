package org.dicomrelay.providers.azure;

import com.azure.core.credential.AzureSasCredential;
import com.azure.core.http.HttpClient;
import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.common.StorageSharedKeyCredential;
import com.azure.storage.common.policy.RequestRetryOptions;
import com.azure.storage.common.policy.RetryPolicyType;
import com.azure.storage.queue.QueueServiceClient;
import com.azure.storage.queue.QueueServiceClientBuilder;
import java.time.Duration;

/**
 * SDK clients on the JDK's HttpClient ({@code azure-core-http-jdk-httpclient}: no Netty in the cli
 * jar), with a short retry schedule: the relay resends on its own deadlines, so a request that
 * failed three times is reported rather than retried for minutes.
 */
final class AzureClients {
    /**
     * The SDK's own log lines, silenced: every failure reaches the router as an IOException that
     * names the service's error code and what was being done, while the SDK's lines repeat it
     * without that, quote response bodies, and warn at every request that the JDK client sets
     * Content-Length itself. Held here so that the logger keeps its level.
     */
    private static final java.util.logging.Logger SDK_LOG = quiet("com.azure");

    private AzureClients() {}

    private static java.util.logging.Logger quiet(String name) {
        java.util.logging.Logger l = java.util.logging.Logger.getLogger(name);
        l.setLevel(java.util.logging.Level.OFF);
        return l;
    }

    static HttpClient http() {
        return new JdkHttpClientBuilder().connectionTimeout(Duration.ofSeconds(10)).responseTimeout(Duration.ofMinutes(2)).build();
    }

    static RequestRetryOptions retries() {
        return new RequestRetryOptions(RetryPolicyType.EXPONENTIAL, 3, (Duration) null, Duration.ofMillis(200), Duration.ofSeconds(2), null);
    }

    static BlobContainerClient container(AzureSettings s) {
        BlobServiceClientBuilder b = new BlobServiceClientBuilder().httpClient(http()).retryOptions(retries());
        AzureCredentials c = s.credentials();
        switch (c.kind()) {
            case CONNECTION_STRING -> b.connectionString(c.secret());
            case ACCOUNT_KEY -> b.credential(new StorageSharedKeyCredential(c.accountName(), c.secret()));
            case SAS_TOKEN -> b.credential(new AzureSasCredential(c.secret()));
        }
        if (s.blobEndpoint() != null) b.endpoint(s.blobEndpoint().toString());
        else if (c.kind() != AzureCredentials.Kind.CONNECTION_STRING) b.endpoint(c.defaultEndpoint("blob"));
        return b.buildClient().getBlobContainerClient(s.requireContainer());
    }

    static QueueServiceClient queues(AzureSettings s) {
        QueueServiceClientBuilder b = new QueueServiceClientBuilder().httpClient(http()).retryOptions(retries());
        AzureCredentials c = s.credentials();
        switch (c.kind()) {
            case CONNECTION_STRING -> b.connectionString(c.secret());
            case ACCOUNT_KEY -> b.credential(new StorageSharedKeyCredential(c.accountName(), c.secret()));
            case SAS_TOKEN -> b.credential(new AzureSasCredential(c.secret()));
        }
        if (s.queueEndpoint() != null) b.endpoint(s.queueEndpoint().toString());
        else if (c.kind() != AzureCredentials.Kind.CONNECTION_STRING) b.endpoint(c.defaultEndpoint("queue"));
        return b.buildClient();
    }
}
