package org.dicomrelay.providers.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.dicomrelay.providers.emulators.S3ProxyServer;
import org.dicomrelay.relay.cloud.BlobNames;
import org.dicomrelay.relay.cloud.BlobStore;
import org.dicomrelay.relay.cloud.CloudProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Virtual-host addressing (the bucket in the host name, AWS's default) against S3Proxy with a
 * virtual-host domain; path-style is what the contract test uses. Also: settings that cannot work
 * are refused with a message naming the setting, and the secret never appears in the settings' text.
 */
class S3AddressingTest {
    @TempDir
    Path root;

    @Test
    void virtualHostAddressingPutsTheBucketInTheHostName() throws Exception {
        try (S3ProxyServer s3proxy = new S3ProxyServer(root, "localhost")) {
            Map<String, String> settings = new HashMap<>(s3proxy.settings("tck-vhost"));
            settings.put(S3Settings.ENDPOINT, "http://localhost:" + s3proxy.port());
            settings.put(S3Settings.PATH_STYLE, "false");
            settings.put(S3Settings.PREFIX, "relay/");
            try (S3Client admin = AwsClients.s3(S3Settings.of(settings))) {
                admin.createBucket(b -> b.bucket("tck-vhost"));
                String name = BlobNames.random();
                try (BlobStore store = CloudProvider.named("s3").blobStore(settings)) {
                    try (BlobStore.Upload up = store.create(name, "router-b")) {
                        up.write("over the bucket's host name".getBytes(StandardCharsets.UTF_8));
                    }
                    try (InputStream in = store.open(name)) {
                        assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("over the bucket's host name");
                    }
                    assertThat(admin.listObjectsV2(b -> b.bucket("tck-vhost")).contents()).singleElement()
                            .satisfies(o -> assertThat(o.key()).isEqualTo("relay/" + name));
                    store.delete(name);
                }
                admin.deleteBucket(b -> b.bucket("tck-vhost")); // only when empty
            }
            try (var files = Files.walk(root)) {
                assertThat(files.filter(Files::isRegularFile)).isEmpty();
            }
        }
    }

    @Test
    void unusableSettingsAreRefusedByName() {
        assertThatThrownBy(() -> S3Settings.of(Map.of())).hasMessageContaining("'bucket'");
        assertThatThrownBy(() -> S3Settings.of(Map.of("bucket", "b", "partBytes", "1000"))).hasMessageContaining("'partBytes'");
        assertThatThrownBy(() -> S3Settings.of(Map.of("bucket", "b", "accessKeyId", "AKIA"))).hasMessageContaining("'secretAccessKey'");
        assertThatThrownBy(() -> CloudProvider.named("s3").notifications(Map.of("bucket", "b", "inbox", "carrier-pigeon"), "r1", null))
                .hasMessageContaining("'inbox'");
    }

    @Test
    void settingsNeverPrintTheSecret() {
        S3Settings s = S3Settings.of(Map.of("bucket", "b", "accessKeyId", "AKIAEXAMPLE", "secretAccessKey", "wJalrXUtnFEMI-secret"));
        assertThat(s.toString()).doesNotContain("wJalrXUtnFEMI-secret").contains("credentials=configured");
        SqsSettings q = SqsSettings.of(Map.of("accessKeyId", "AKIAEXAMPLE", "secretAccessKey", "wJalrXUtnFEMI-secret"));
        assertThat(q.toString()).doesNotContain("wJalrXUtnFEMI-secret");
        assertThat(CloudProvider.named("s3").secretSettings()).as("never taken from the Bridge's assignment")
                .containsExactlyInAnyOrder("accessKeyId", "secretAccessKey");
    }
}
