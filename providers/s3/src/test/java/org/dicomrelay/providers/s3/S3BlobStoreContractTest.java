package org.dicomrelay.providers.s3;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.dicomrelay.providers.emulators.S3ProxyServer;
import org.dicomrelay.providers.tck.BlobStoreContract;
import org.dicomrelay.relay.cloud.BlobStore;
import org.dicomrelay.relay.cloud.CloudProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import software.amazon.awssdk.services.s3.S3Client;

/** The Cloud IO blob store contract for provider "s3" against S3Proxy (path-style addressing). */
class S3BlobStoreContractTest extends BlobStoreContract {
    private static final String BUCKET = "tck-blobs";
    private static S3ProxyServer s3proxy;
    private static S3Client admin;

    @TempDir
    static Path root;

    @BeforeAll
    static void startS3Proxy() throws Exception {
        s3proxy = new S3ProxyServer(root, null);
        S3Settings s = S3Settings.of(s3proxy.settings(BUCKET));
        admin = AwsClients.s3(s);
        admin.createBucket(b -> b.bucket(BUCKET));
    }

    @AfterAll
    static void stopS3Proxy() throws Exception {
        if (admin != null) {
            admin.deleteBucket(b -> b.bucket(BUCKET)); // fails unless empty: nothing left behind
            admin.close();
        }
        if (s3proxy != null) s3proxy.close();
    }

    @Override
    protected BlobStore openStore() throws Exception {
        return CloudProvider.named("s3").blobStore(s3proxy.settings(BUCKET));
    }

    @Override
    protected int partBytes() {
        return S3Settings.MIN_PART_BYTES;
    }

    @Override
    protected Set<String> leftovers() throws IOException {
        Set<String> left = new HashSet<>();
        try (Stream<Path> files = Files.walk(root.resolve(BUCKET))) { // what the S3 API does not list, too
            files.filter(Files::isRegularFile).forEach(p -> left.add("file " + root.relativize(p)));
        }
        admin.listObjectsV2Paginator(b -> b.bucket(BUCKET)).contents().forEach(o -> left.add(o.key()));
        admin.listMultipartUploadsPaginator(b -> b.bucket(BUCKET)).uploads().forEach(u -> left.add("unfinished upload of " + u.key()));
        return left;
    }

    @Override
    protected BlobStore openUnreachableStore() throws Exception {
        Map<String, String> settings = new HashMap<>(s3proxy.settings(BUCKET));
        settings.put(S3Settings.ENDPOINT, "http://127.0.0.1:1");
        return CloudProvider.named("s3").blobStore(settings);
    }
}
