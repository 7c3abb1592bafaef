package org.dicomrelay.relay.cloud.fs;

import org.dicomrelay.relay.cloud.BlobNames;
import org.dicomrelay.relay.cloud.BlobStore;
import org.dicomrelay.relay.cloud.BridgeNotifications;
import org.dicomrelay.relay.cloud.BridgeTransport;
import org.dicomrelay.relay.cloud.CloudProvider;
import org.dicomrelay.relay.cloud.Notifications;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FileSystemProviderTest {
    @TempDir
    Path root;

    @Test
    void serviceLoaderFindsTheFilesystemProvider() {
        assertThat(ServiceLoader.load(CloudProvider.class).stream().map(p -> p.get().name())).contains("filesystem");
        assertThat(CloudProvider.named("filesystem")).isInstanceOf(FileSystemProvider.class);
    }

    @Test
    void theRootSettingSelectsTheFolder() throws IOException {
        try (BlobStore store = CloudProvider.named("filesystem").blobStore(Map.of("root", root.toString()))) {
            String name = BlobNames.random();
            try (BlobStore.Upload up = store.create(name, "hospital-b")) {
                up.write(new byte[] {4, 2});
            }
            try (InputStream in = new FileSystemBlobStore(root).open(name)) {
                assertThat(in.readAllBytes()).containsExactly(4, 2);
            }
        }
        assertThatThrownBy(() -> new FileSystemProvider().blobStore(Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("root");
    }

    @Test
    void notificationsGoThroughTheBridge() throws IOException {
        BridgeTransport bridge = new BridgeTransport() {
            @Override
            public void publish(String recipientRouterId, byte[] message) {}

            @Override
            public List<Notifications.Notification> poll(Duration timeout) {
                return List.of(new Notifications.Notification("n1", new byte[] {9}));
            }

            @Override
            public void ack(String notificationId) {}
        };
        Notifications n = new FileSystemProvider().notifications(Map.of(), "router-a", bridge);
        assertThat(n).isInstanceOf(BridgeNotifications.class);
        assertThat(n.poll(Duration.ZERO)).extracting(Notifications.Notification::id).containsExactly("n1");
        assertThatThrownBy(() -> new FileSystemProvider().notifications(Map.of(), "router-a", null))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
