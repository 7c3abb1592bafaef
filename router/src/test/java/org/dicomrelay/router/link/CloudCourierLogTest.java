package org.dicomrelay.router.link;

import org.dicomrelay.relay.cloud.BridgeNotifications;
import org.dicomrelay.relay.cloud.BridgeTransport;
import org.dicomrelay.relay.cloud.Notifications;
import org.dicomrelay.relay.cloud.fs.FileSystemBlobStore;
import org.dicomrelay.relay.crypto.PublicKeys;
import org.dicomrelay.relay.crypto.RouterKeys;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Courier logs an operator can act on: a failing inbox is one line naming the cause (never
 * "null"), then "reachable again"; a revoked or unknown router knocking again and again is one
 * line naming it, not one per message.
 */
@Timeout(60)
class CloudCourierLogTest {
    @TempDir Path cloud;
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();
    private final Logger jul = Logger.getLogger(CloudCourier.class.getName());
    private final Handler handler = new Handler() {
        @Override public void publish(LogRecord r) {
            records.add(r);
        }

        @Override public void flush() {}

        @Override public void close() {}
    };
    private final RouterKeys ka = RouterKeys.generate();
    private final MemoryInboxes inboxes = new MemoryInboxes();
    private CloudCourier a;

    @BeforeEach void capture() {
        jul.addHandler(handler);
    }

    @AfterEach void release() throws IOException {
        jul.removeHandler(handler);
        if (a != null) a.close();
    }

    private List<String> lines(Level level) {
        return records.stream().filter(r -> r.getLevel() == level).map(LogRecord::getMessage).toList();
    }

    @Test void aFailingInboxIsOneLineWithItsCauseThenReachableAgain() throws Exception {
        BridgeTransport real = inboxes.transport("hospital-a");
        AtomicInteger failures = new AtomicInteger(2);
        AtomicInteger polls = new AtomicInteger();
        BridgeTransport flaky = new BridgeTransport() {
            @Override public void publish(String to, byte[] message) throws IOException {
                real.publish(to, message);
            }

            @Override public List<Notifications.Notification> poll(Duration timeout) throws IOException {
                polls.incrementAndGet();
                if (failures.getAndDecrement() > 0) throw new IOException(); // no message, as many JDK exceptions
                return real.poll(Duration.ofMillis(100));
            }

            @Override public void ack(String id) throws IOException {
                real.ack(id);
            }
        };
        a = new CloudCourier("hospital-a", ka, Map.of("hospital-a", ka.publicKeys("hospital-a"))::get, new FileSystemBlobStore(cloud),
                new BridgeNotifications(flaky));
        a.start((from, frame, payload) -> {});
        await().atMost(Duration.ofSeconds(20)).until(() -> polls.get() >= 4);
        assertThat(lines(Level.WARNING)).containsExactly("inbox poll failed, retrying: IOException");
        assertThat(lines(Level.INFO)).containsExactly("inbox reachable again (after 2 occurrences)");
    }

    @Test void aRouterWeNoLongerKnowIsLoggedOnceNotPerMessage() throws Exception {
        BridgeTransport real = inboxes.transport("hospital-a");
        AtomicInteger delivered = new AtomicInteger(), processed = new AtomicInteger();
        BridgeTransport counting = new BridgeTransport() {
            @Override public void publish(String to, byte[] message) throws IOException {
                real.publish(to, message);
            }

            @Override public List<Notifications.Notification> poll(Duration timeout) throws IOException {
                processed.set(delivered.get()); // the poller asks again only once it has handled the last batch
                List<Notifications.Notification> batch = real.poll(Duration.ofMillis(100));
                delivered.addAndGet(batch.size());
                return batch;
            }

            @Override public void ack(String id) throws IOException {
                real.ack(id);
            }
        };
        // hospital-x was revoked: hospital-a's directory no longer has its keys, but it still has hospital-a's.
        a = new CloudCourier("hospital-a", ka, Map.of("hospital-a", ka.publicKeys("hospital-a"))::get, new FileSystemBlobStore(cloud),
                new BridgeNotifications(counting));
        List<LinkMessage> accepted = new CopyOnWriteArrayList<>();
        a.start((from, frame, payload) -> accepted.add(frame));
        RouterKeys kx = RouterKeys.generate();
        Map<String, PublicKeys> xDirectory = Map.of("hospital-a", ka.publicKeys("hospital-a"), "hospital-x", kx.publicKeys("hospital-x"));
        try (CloudCourier x = new CloudCourier("hospital-x", kx, xDirectory::get, new FileSystemBlobStore(cloud),
                new BridgeNotifications(inboxes.transport("hospital-x")))) {
            for (int i = 0; i < 5; i++) x.send("hospital-a", new LinkMessage.EchoRq("op-" + i, "PACS_A", "WS_X"), null);
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> processed.get() >= 5);
        assertThat(accepted).as("nothing unauthenticated is delivered").isEmpty();
        assertThat(lines(Level.WARNING)).hasSize(1);
        assertThat(lines(Level.WARNING).get(0)).startsWith("rejected a message in the inbox from router hospital-x: unknown sender hospital-x");
    }
}
