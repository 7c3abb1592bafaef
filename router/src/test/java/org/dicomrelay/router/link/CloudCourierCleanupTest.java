package org.dicomrelay.router.link;

import org.dicomrelay.relay.cloud.BridgeNotifications;
import org.dicomrelay.relay.cloud.BridgeTransport;
import org.dicomrelay.relay.cloud.Notifications;
import org.dicomrelay.relay.cloud.fs.FileSystemBlobStore;
import org.dicomrelay.relay.crypto.PublicKeys;
import org.dicomrelay.relay.crypto.RouterKeys;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Payloads in the cloud live only as long as someone can use them: consumed ones are deleted by
 * the recipient before it answers, a payload whose frame could not be published is deleted at
 * once, and one whose request the sender gave up on is withdrawn (the late frame then finds no
 * object, and its handler answers a failure nobody waits for, instead of storing a duplicate).
 */
@Timeout(60)
class CloudCourierCleanupTest {
    @TempDir Path work;
    private final RouterKeys ka = RouterKeys.generate(), kb = RouterKeys.generate();
    private final Map<String, PublicKeys> directory = Map.of("hospital-a", ka.publicKeys("hospital-a"), "hospital-b", kb.publicKeys("hospital-b"));
    private final MemoryInboxes inboxes = new MemoryInboxes();
    private final List<CloudCourier> couriers = new CopyOnWriteArrayList<>();
    private final Map<String, UploadJournal> journals = new java.util.concurrent.ConcurrentHashMap<>();

    @AfterEach void close() throws IOException {
        for (CloudCourier c : couriers) c.close();
    }

    private Path cloud() {
        return work.resolve("cloud");
    }

    private CloudCourier courier(String id, RouterKeys keys, BridgeTransport transport) throws IOException {
        CloudCourier c = new CloudCourier(id, keys, directory::get, new FileSystemBlobStore(cloud()), new BridgeNotifications(transport));
        UploadJournal j = UploadJournal.open(work.resolve(id).resolve("uploads"), Duration.ofMinutes(60));
        journals.put(id, j);
        c.recordUploadsIn(j);
        couriers.add(c);
        return c;
    }

    private List<Path> blobs() throws IOException {
        try (Stream<Path> s = Files.walk(cloud())) {
            return s.filter(Files::isRegularFile).toList();
        }
    }

    private static Courier.PayloadWriter object() {
        return out -> out.write("a DICOM object".getBytes(StandardCharsets.US_ASCII));
    }

    @Test void aConsumedPayloadIsGoneBeforeItsAnswerAndTheAnswerForgetsIt() throws Exception {
        CloudCourier a = courier("hospital-a", ka, inboxes.transport("hospital-a"));
        CloudCourier b = courier("hospital-b", kb, inboxes.transport("hospital-b"));
        List<Integer> blobsWhenAnswering = new CopyOnWriteArrayList<>();
        b.start((from, frame, payload) -> {
            payload.readAllBytes();
            blobsWhenAnswering.add(blobs().size());
            b.send(from, new LinkMessage.StoreRsp(frame.operationId(), 0, null, null), null);
        });
        List<LinkMessage> answers = new CopyOnWriteArrayList<>();
        a.start((from, frame, payload) -> answers.add(frame));
        a.send("hospital-b", TestMessages.store("op-1"), object());
        await().atMost(Duration.ofSeconds(20)).until(() -> answers.size() == 1);
        assertThat(blobsWhenAnswering).containsExactly(0);
        assertThat(journals.get("hospital-a").abandoned("hospital-b", "op-1")).as("forgotten on the answer").isNull();
    }

    @Test void aPayloadWhoseFrameCannotBePublishedIsDeletedAtOnce() throws Exception {
        BridgeTransport down = new BridgeTransport() {
            @Override public void publish(String to, byte[] message) throws IOException {
                throw new IOException("the Bridge is unreachable");
            }

            @Override public List<Notifications.Notification> poll(Duration timeout) {
                return List.of();
            }

            @Override public void ack(String id) {}
        };
        CloudCourier a = courier("hospital-a", ka, down);
        assertThatThrownBy(() -> a.send("hospital-b", TestMessages.store("op-1"), object())).hasMessage("the Bridge is unreachable");
        assertThat(blobs()).isEmpty();
    }

    @Test void anAbandonedRequestsPayloadIsWithdrawnAndTheLateFrameFindsNothingToStore() throws Exception {
        CloudCourier a = courier("hospital-a", ka, inboxes.transport("hospital-a"));
        BridgeTransport inboxOfB = inboxes.transport("hospital-b"); // router B is down: its inbox keeps the frame
        a.send("hospital-b", TestMessages.store("op-1"), object());
        assertThat(blobs()).hasSize(1);
        a.abandon("hospital-b", "op-1"); // router A's deadline passed while router B was down
        assertThat(blobs()).isEmpty();

        CloudCourier b = courier("hospital-b", kb, inboxOfB);
        List<String> outcome = new CopyOnWriteArrayList<>();
        b.start((from, frame, payload) -> {
            try (InputStream in = payload) {
                in.readAllBytes();
                outcome.add("stored");
            } catch (IOException e) {
                outcome.add(e.getMessage());
            }
        });
        await().atMost(Duration.ofSeconds(20)).until(() -> outcome.size() == 1);
        assertThat(outcome.get(0)).startsWith("the payload is no longer in the cloud");
    }

    @Test void aDeletionThatFailsWhileTheCloudIsAwayIsDoneWhenItIsBack() throws Exception {
        CloudCourier a = courier("hospital-a", ka, inboxes.transport("hospital-a"));
        inboxes.transport("hospital-b");
        a.send("hospital-b", TestMessages.store("op-1"), object());
        Path away = work.resolve("cloud-away");
        Files.move(cloud(), away); // the share unmounted
        a.abandon("hospital-b", "op-1");
        Files.move(away, cloud());
        assertThat(blobs()).as("not deleted while away").hasSize(1);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(blobs()).isEmpty());
    }
}
