package org.dicomrelay.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.common.StorageSharedKeyCredential;
import org.dicomrelay.dicom.io.OwnerOnly;
import org.dicomrelay.providers.emulators.AzuriteServer;
import org.dicomrelay.providers.emulators.ElasticMqServer;
import org.dicomrelay.providers.emulators.NatsServer;
import org.dicomrelay.providers.emulators.S3ProxyServer;
import org.dicomrelay.router.config.RouterConfig;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The Cloud IO provider of {@code demo --cloud}: the routers' {@code cloud} section and the local
 * emulator it runs on, on 127.0.0.1 ({@link #bridge}, the default, needs none).
 */
enum DemoCloud {
    bridge, s3, nats, azure;

    /** Why the demo cannot run on this provider here. */
    static final class Unavailable extends Exception {
        Unavailable(String message) {
            super(message);
        }
    }

    /** A started emulator: the routers' cloud section (null: the default), what to tell, and what to stop at the end. */
    record Started(RouterConfig.Cloud cloud, String story, List<AutoCloseable> running) {}

    Started start(Path dir) throws Exception {
        try {
            return switch (this) {
                case bridge -> new Started(null, "no shared folder: sealed blobs go through the Bridge (" + dir.resolve("bridge/blobs") + ")", List.of());
                case s3 -> s3(dir);
                case nats -> nats(dir);
                case azure -> azure(dir);
            };
        } catch (LinkageError e) { // a build without the emulator libraries
            throw new Unavailable("the emulator for --cloud " + this + " is not in this build (missing " + e.getMessage() + ")");
        }
    }

    /** S3Proxy (blobs, its files under DIR/s3) and ElasticMQ (SQS inboxes), both Maven Central libraries, in this JVM. */
    private static Started s3(Path dir) throws Exception {
        List<AutoCloseable> running = new ArrayList<>();
        try {
            S3ProxyServer s3proxy = new S3ProxyServer(OwnerOnly.newFolders(dir.resolve("s3")), null);
            running.add(s3proxy);
            ElasticMqServer elasticmq = new ElasticMqServer();
            running.add(elasticmq);
            String bucket = "dicom-relay";
            try (S3Client s3 = S3Client.builder().httpClient(UrlConnectionHttpClient.create()).region(Region.US_EAST_1).forcePathStyle(true)
                    .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(S3ProxyServer.ACCESS_KEY, S3ProxyServer.SECRET_KEY)))
                    .endpointOverride(s3proxy.endpoint()).build()) {
                s3.createBucket(b -> b.bucket(bucket));
            }
            Map<String, String> settings = new HashMap<>(s3proxy.settings(bucket));
            settings.put("sqs.endpoint", elasticmq.endpoint().toString());
            return new Started(new RouterConfig.Cloud("s3", settings), "Cloud IO s3: sealed blobs in bucket '" + bucket + "' of S3Proxy at "
                    + s3proxy.endpoint() + " (files under " + dir.resolve("s3") + "), notifications in ElasticMQ's SQS queues at " + elasticmq.endpoint(),
                    running);
        } catch (Exception | Error e) {
            closeAll(running);
            throw e;
        }
    }

    /** Debian's nats-server (JetStream) as a child process; blobs stay at the Bridge. */
    private static Started nats(Path dir) throws Exception {
        if (NatsServer.binary().isEmpty()) {
            throw new Unavailable("nats-server is not installed (Debian: apt-get install nats-server); run the demo without --cloud, or with --cloud s3");
        }
        NatsServer server = new NatsServer();
        return new Started(new RouterConfig.Cloud("nats", Map.of("blobs", "bridge", "nats.url", server.url().toString())),
                "Cloud IO nats: notifications on nats-server (JetStream) at " + server.url() + ", sealed blobs at the Bridge ("
                        + dir.resolve("bridge/blobs") + ")", List.of(server));
    }

    /** Azurite (npm; scripts/test installs it into target/azurite) as a child process: blobs in a container, inboxes in its queues. */
    private static Started azure(Path dir) throws Exception {
        if (!AzuriteServer.installed()) {
            throw new Unavailable("Azurite is not installed (needs node; npm install --prefix target/azurite azurite@" + AzuriteServer.VERSION
                    + ", as scripts/test does); run with --cloud s3");
        }
        AzuriteServer azurite = new AzuriteServer();
        try {
            String container = "dicom-relay";
            new BlobServiceClientBuilder().endpoint(azurite.blobEndpoint().toString()).httpClient(new JdkHttpClientBuilder().build())
                    .credential(new StorageSharedKeyCredential(AzuriteServer.ACCOUNT, AzuriteServer.ACCOUNT_KEY)).buildClient()
                    .createBlobContainer(container);
            return new Started(new RouterConfig.Cloud("azure", azurite.settings(container)), "Cloud IO azure: sealed blobs in container '"
                    + container + "' of Azurite at " + azurite.blobEndpoint() + ", notifications in its queues at " + azurite.queueEndpoint(),
                    List.of(azurite));
        } catch (Exception | Error e) {
            azurite.close();
            throw e;
        }
    }

    private static void closeAll(List<AutoCloseable> running) {
        for (int i = running.size() - 1; i >= 0; i--) {
            try {
                running.get(i).close();
            } catch (Exception ignored) {
                // already failing: the first failure is the one reported
            }
        }
    }
}
