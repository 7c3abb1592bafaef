package org.dicomrelay.router.link;

import org.dicomrelay.relay.cloud.BridgeNotifications;
import org.dicomrelay.relay.cloud.BridgeTransport;
import org.dicomrelay.relay.cloud.Notifications;
import org.dicomrelay.relay.cloud.fs.FileSystemBlobStore;
import org.dicomrelay.relay.crypto.RouterKeys;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ConnectException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The status page's "cloud reachable" (issue 11): the courier's inbox poll, a cheap call made at
 * least every long-poll period, records when the provider last answered and last failed, with the
 * reason; reachable means the last call answered.
 */
@Timeout(60)
class CloudReachTest {
    @TempDir Path cloud;
    private final RouterKeys ka = RouterKeys.generate();
    private final MemoryInboxes inboxes = new MemoryInboxes();
    private CloudCourier a;

    @AfterEach void close() throws IOException {
        if (a != null) a.close();
    }

    @Test void theLastPollSaysWhetherTheCloudIsReachableWithTheTimesAndTheReason() throws Exception {
        BridgeTransport real = inboxes.transport("hospital-a");
        AtomicBoolean down = new AtomicBoolean(true);
        BridgeTransport switchable = new BridgeTransport() {
            @Override public void publish(String to, byte[] message) throws IOException {
                real.publish(to, message);
            }

            @Override public List<Notifications.Notification> poll(Duration timeout) throws IOException {
                if (down.get()) throw new ConnectException("Connection refused");
                return real.poll(Duration.ofMillis(50));
            }

            @Override public void ack(String id) throws IOException {
                real.ack(id);
            }
        };
        a = new CloudCourier("hospital-a", ka, Map.of("hospital-a", ka.publicKeys("hospital-a"))::get, new FileSystemBlobStore(cloud),
                new BridgeNotifications(switchable));
        assertThat(a.cloudReach().view()).isEqualTo(new CloudReach.View(false, null, null, null));
        a.start((from, frame, payload) -> {});

        await().atMost(Duration.ofSeconds(10)).until(() -> a.cloudReach().view().lastFailure() != null);
        CloudReach.View failing = a.cloudReach().view();
        assertThat(failing.reachable()).isFalse();
        assertThat(failing.lastSuccess()).isNull();
        assertThat(failing.lastError()).contains("Connection refused");

        down.set(false);
        await().atMost(Duration.ofSeconds(20)).until(() -> a.cloudReach().view().reachable());
        CloudReach.View answering = a.cloudReach().view();
        assertThat(Instant.parse(answering.lastSuccess())).isAfter(Instant.parse(answering.lastFailure()));
        assertThat(answering.lastError()).contains("Connection refused"); // the last failure's reason stays shown
    }
}
