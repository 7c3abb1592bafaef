package org.dicomrelay.bench;

import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.common.StorageSharedKeyCredential;
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

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * One Cloud IO provider on its emulator on 127.0.0.1, for the bench's providers and S3 WAN parts:
 * the routers' {@code cloud} section (the settings of the it tests' {@code S3Emulators},
 * {@code AzureEmulator}, {@code StoreThroughNatsTest}) and the emulators to stop afterwards.
 */
final class ProviderCloud implements AutoCloseable {
    /** The columns of the providers part: the Bridge's store (the default), S3 + SQS, Azure, NATS with blobs at the Bridge and in its Object Store. */
    static final List<String> NAMES = List.of("bridge", "s3", "azure", "nats", "nats-objects");
    /** The settings that name where a router connects: what the WAN part moves to its proxies. */
    private static final List<String> ENDPOINTS = List.of("endpoint", "sqs.endpoint", "blobEndpoint", "queueEndpoint", "nats.url");
    private static final String BUCKET = "relay";

    /** A provider whose emulator cannot run here; the message says why. */
    static final class Unavailable extends Exception {
        Unavailable(String why) {
            super(why);
        }
    }

    final String name;
    /** The routers' cloud section; null: the Bridge's store (no cloud section). */
    final RouterConfig.Cloud cloud;
    private final List<AutoCloseable> emulators;

    private ProviderCloud(String name, RouterConfig.Cloud cloud, List<AutoCloseable> emulators) {
        this.name = name;
        this.cloud = cloud;
        this.emulators = emulators;
    }

    /** Starts {@code name}'s emulators, keeping their data under {@code dir} where they can (S3Proxy). */
    static ProviderCloud start(String name, Path dir) throws Exception {
        List<AutoCloseable> started = new ArrayList<>();
        try {
            return switch (name) {
                case "bridge" -> new ProviderCloud(name, null, started);
                case "s3" -> s3(dir, started);
                case "azure" -> azure(started);
                case "nats", "nats-objects" -> nats(name, started);
                default -> throw new IllegalArgumentException("no provider " + name + "; the bench knows " + NAMES);
            };
        } catch (Exception | Error e) {
            close(started);
            throw e;
        }
    }

    private static ProviderCloud s3(Path dir, List<AutoCloseable> started) throws Exception {
        Path root = Files.createDirectories(dir.resolve("s3proxy"));
        started.add(() -> StoreBench.clean(root));
        S3ProxyServer s3proxy = new S3ProxyServer(root, null);
        started.add(s3proxy);
        ElasticMqServer elasticmq = new ElasticMqServer();
        started.add(elasticmq);
        var creds = StaticCredentialsProvider.create(AwsBasicCredentials.create(S3ProxyServer.ACCESS_KEY, S3ProxyServer.SECRET_KEY));
        try (S3Client s3 = S3Client.builder().httpClient(UrlConnectionHttpClient.create()).region(Region.US_EAST_1).credentialsProvider(creds)
                .endpointOverride(s3proxy.endpoint()).forcePathStyle(true).build()) {
            s3.createBucket(b -> b.bucket(BUCKET));
        }
        Map<String, String> settings = new HashMap<>(s3proxy.settings(BUCKET));
        settings.put("sqs.endpoint", elasticmq.endpoint().toString());
        settings.put("sqs.visibilitySeconds", "30");
        return new ProviderCloud("s3", new RouterConfig.Cloud("s3", settings), started);
    }

    private static ProviderCloud azure(List<AutoCloseable> started) throws Exception {
        if (AzuriteServer.unavailable().isPresent()) throw new Unavailable(AzuriteServer.unavailable().get());
        if (!AzuriteServer.installed()) throw new Unavailable("Azurite " + AzuriteServer.VERSION + " is not installed in target/azurite (scripts/test installs it)");
        AzuriteServer azurite = new AzuriteServer();
        started.add(azurite);
        new BlobServiceClientBuilder().endpoint(azurite.blobEndpoint().toString())
                .credential(new StorageSharedKeyCredential(AzuriteServer.ACCOUNT, AzuriteServer.ACCOUNT_KEY)).buildClient()
                .getBlobContainerClient(BUCKET).create();
        Map<String, String> settings = new HashMap<>(azurite.settings(BUCKET));
        settings.put("visibilitySeconds", "30");
        return new ProviderCloud("azure", new RouterConfig.Cloud("azure", settings), started);
    }

    private static ProviderCloud nats(String name, List<AutoCloseable> started) throws Exception {
        if (NatsServer.binary().isEmpty()) throw new Unavailable(NatsServer.ABSENT);
        NatsServer nats = new NatsServer();
        started.add(nats);
        // "nats": notifications on JetStream, blobs at the Bridge; "nats-objects": blobs in a JetStream Object Store bucket too
        Map<String, String> settings = Map.of("blobs", name.equals("nats") ? "bridge" : "nats", "nats.url", nats.url().toString(),
                "nats.visibilitySeconds", "30");
        return new ProviderCloud(name, new RouterConfig.Cloud("nats", settings), started);
    }

    /** Where the routers connect to this provider's emulators: the endpoint settings' values (none for the Bridge's store). */
    List<URI> endpoints() {
        if (cloud == null) return List.of();
        return ENDPOINTS.stream().filter(cloud.settings()::containsKey).map(k -> URI.create(cloud.settings().get(k))).toList();
    }

    /** The cloud section with every endpoint replaced by {@code via}'s answer (a proxy's address), the other settings as they are. */
    RouterConfig.Cloud through(UnaryOperator<URI> via) {
        Map<String, String> settings = new HashMap<>(cloud.settings());
        for (String k : ENDPOINTS) {
            if (settings.containsKey(k)) settings.put(k, via.apply(URI.create(settings.get(k))).toString());
        }
        return new RouterConfig.Cloud(cloud.provider(), settings);
    }

    @Override
    public void close() {
        close(emulators);
    }

    private static void close(List<AutoCloseable> started) {
        for (int i = started.size() - 1; i >= 0; i--) {
            try {
                started.get(i).close();
            } catch (Exception e) {
                System.err.println("stopping an emulator: " + (e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName()));
            }
        }
    }
}
