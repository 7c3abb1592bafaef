package org.dicomrelay.providers.emulators;

import java.net.URI;
import java.util.Map;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import java.nio.file.Path;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;

/**
 * S3Proxy in this JVM, on 127.0.0.1 only, with signed requests required, keeping its objects in a
 * folder (its filesystem backend): tests can see there what the S3 API does not show, such as the
 * parts of an aborted multipart upload.
 */
public final class S3ProxyServer implements AutoCloseable {
    public static final String ACCESS_KEY = "tck-access";
    public static final String SECRET_KEY = "tck-secret-never-logged";

    private final S3Proxy proxy;

    /** @param root where the buckets live
     * @param virtualHost the domain under which bucket names become host names (virtual-host addressing), or null */
    public S3ProxyServer(Path root, String virtualHost) throws Exception {
        S3Proxy.Builder b = S3Proxy.builder().blobStore(new FilesystemNio2BlobStore(root.toString())).endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY);
        if (virtualHost != null) b.virtualHost(virtualHost);
        proxy = b.build();
        proxy.start();
        Readiness.await("S3Proxy start", java.time.Duration.ofSeconds(30), () -> "STARTED".equals(proxy.getState()));
    }

    public int port() {
        return proxy.getPort();
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port());
    }

    /** Cloud IO "s3" settings for {@code bucket} here: path-style, 5 MiB parts (S3's smallest), 3 in flight. */
    public Map<String, String> settings(String bucket) {
        return Map.of("endpoint", endpoint().toString(), "bucket", bucket, "pathStyle", "true", "accessKeyId", ACCESS_KEY,
                "secretAccessKey", SECRET_KEY, "partBytes", Integer.toString(5 * 1024 * 1024), "partsInFlight", "3");
    }

    @Override
    public void close() throws Exception {
        proxy.stop();
    }
}
