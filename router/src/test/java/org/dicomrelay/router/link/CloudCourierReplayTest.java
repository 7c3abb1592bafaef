package org.dicomrelay.router.link;

import org.dicomrelay.testkit.MovableClock;
import org.dicomrelay.relay.cloud.BlobStore;
import org.dicomrelay.relay.cloud.BridgeNotifications;
import org.dicomrelay.relay.cloud.BridgeTransport;
import org.dicomrelay.relay.cloud.Notifications;
import org.dicomrelay.relay.cloud.fs.FileSystemBlobStore;
import org.dicomrelay.relay.crypto.Envelope;
import org.dicomrelay.relay.crypto.PublicKeys;
import org.dicomrelay.relay.crypto.RouterKeys;
import org.dicomrelay.relay.crypto.Stamp;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 9, "replays work", inverted at the one place where frames are authenticated and staged
 * (CloudCourier.receive): a captured STORE_RQ notification and its blob re-posted, through the
 * sending router's inbox access or another router's, runs nothing again; nor does a captured
 * MOVE_RQ; a failed acknowledgement (the inbox delivers again after its visibility timeout) gives
 * exactly one execution; a frame older than the maximum age (injected clock) is refused; a payload
 * moved under another frame, a frame over 1 MiB and a payload over the limit are refused. Every
 * refusal is logged naming its sender and reason.
 */
@Timeout(60)
class CloudCourierReplayTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    @TempDir Path cloud;
    @TempDir Path stateB;
    private final MemoryInboxes inboxes = new MemoryInboxes();
    private final RouterKeys ka = RouterKeys.generate(), kb = RouterKeys.generate(), kx = RouterKeys.generate(), kw = RouterKeys.generate();
    private final Map<String, PublicKeys> directory = Map.of("hospital-a", ka.publicKeys("hospital-a"),
            "hospital-b", kb.publicKeys("hospital-b"), "hospital-x", kx.publicKeys("hospital-x"), "Site_W.2", kw.publicKeys("Site_W.2"));
    private final List<CloudCourier> couriers = new CopyOnWriteArrayList<>();
    /** What router B's handler ran: "TYPE operation". */
    private final List<String> ran = new CopyOnWriteArrayList<>();
    private final List<IOException> payloadErrors = new CopyOnWriteArrayList<>();
    /** Every blob router B read, as the cloud served it: what an attacker with read access keeps. */
    private final Map<String, byte[]> captured = new ConcurrentHashMap<>();
    private final MovableClock clock = new MovableClock(Instant.now());
    private final List<String> warnings = new CopyOnWriteArrayList<>();
    private final Logger jul = Logger.getLogger(CloudCourier.class.getName());
    private final Handler handler = new Handler() {
        @Override public void publish(LogRecord r) {
            warnings.add(r.getMessage());
        }

        @Override public void flush() {}

        @Override public void close() {}
    };

    @BeforeEach void capture() {
        jul.addHandler(handler);
    }

    @AfterEach void close() throws IOException {
        jul.removeHandler(handler);
        for (CloudCourier c : couriers) c.close();
    }

    private CloudCourier courier(String id, RouterKeys keys, BridgeTransport transport, BlobStore blobs, LinkGuards link) {
        CloudCourier c = new CloudCourier(id, keys, directory::get, blobs, new BridgeNotifications(transport), 2, 100, link);
        couriers.add(c);
        return c;
    }

    private CloudCourier sender(String id, RouterKeys keys, java.time.Clock senderClock) throws IOException {
        return courier(id, keys, inboxes.transport(id), new FileSystemBlobStore(cloud), LinkGuards.inMemory(senderClock));
    }

    /** Router B: its replay memory in its state folder, its handler recording what runs. */
    private CloudCourier routerB(BridgeTransport transport, long maxPayloadBytes) throws IOException {
        LinkGuards link = LinkGuards.in(stateB.resolve("link"), clock, LinkGuards.DEFAULT_MAX_AGE, LinkGuards.DEFAULT_MAX_SKEW, maxPayloadBytes);
        CloudCourier b = courier("hospital-b", kb, transport, capturing(new FileSystemBlobStore(cloud)), link);
        b.start((from, frame, payload) -> {
            if (payload != null) {
                try {
                    payload.readAllBytes();
                } catch (IOException e) {
                    payloadErrors.add(e);
                    return;
                }
            }
            ran.add(frame.type() + " " + frame.operationId());
        });
        return b;
    }

    private BlobStore capturing(BlobStore real) {
        return new BlobStore() {
            @Override public Upload create(String name, String recipientRouterId) throws IOException {
                return real.create(name, recipientRouterId);
            }

            @Override public InputStream open(String name) throws IOException {
                try (InputStream in = real.open(name)) {
                    byte[] all = in.readAllBytes();
                    captured.put(name, all);
                    return new ByteArrayInputStream(all);
                }
            }

            @Override public void delete(String name) throws IOException {
                real.delete(name);
            }

            @Override public void close() throws IOException {
                real.close();
            }
        };
    }

    private void putBlob(String name, byte[] bytes) throws IOException {
        try (FileSystemBlobStore s = new FileSystemBlobStore(cloud); OutputStream out = s.create(name, "hospital-b")) {
            out.write(bytes);
        }
    }

    private long refusals(String sender, String reason) {
        return warnings.stream().filter(w -> w.contains("router " + sender) && w.contains(reason)).count();
    }

    @Test void aCapturedStoreRequestAndItsBlobRepostedByAnyoneRunNothingAgain() throws Exception {
        routerB(inboxes.transport("hospital-b"), LinkGuards.DEFAULT_MAX_PAYLOAD_BYTES);
        CloudCourier a = sender("hospital-a", ka, java.time.Clock.systemUTC());
        a.send("hospital-b", TestMessages.store("store-1"), out -> out.write("the deleted instance".getBytes(StandardCharsets.US_ASCII)));
        await().atMost(WAIT).until(() -> ran.contains("STORE_RQ store-1"));
        assertThat(captured).hasSize(1);
        byte[] notification = inboxes.published.get(0);

        // The attacker puts the blob back and posts the notification again: through router A's own inbox
        // access (its API key), and through another enrolled router's.
        for (String via : List.of("hospital-a", "hospital-x")) {
            for (Map.Entry<String, byte[]> blob : captured.entrySet()) putBlob(blob.getKey(), blob.getValue());
            inboxes.transport(via).publish("hospital-b", notification);
        }
        // A later, genuine request is served: the replays were polled and judged before it.
        a.send("hospital-b", TestMessages.echo("echo-after"), null);
        await().atMost(WAIT).until(() -> ran.contains("ECHO_RQ echo-after"));
        assertThat(ran).containsExactly("STORE_RQ store-1", "ECHO_RQ echo-after");
        assertThat(refusals("hospital-a", "a replay")).as("each refusal logged, naming the sender and the reason").isGreaterThanOrEqualTo(1);
        assertThat(warnings).anyMatch(w -> w.contains("refused STORE_RQ of operation store-1 from router hospital-a"));
    }

    /** Review finding: the Bridge enrolls ids such as "Site_W.2"; a frame from one used to end router B's poller for every sender. */
    @Test void aFrameFromAnyIdTheBridgeEnrollsIsJudgedAndTheInboxKeepsServingEveryone() throws Exception {
        routerB(inboxes.transport("hospital-b"), LinkGuards.DEFAULT_MAX_PAYLOAD_BYTES);
        sender("Site_W.2", kw, java.time.Clock.systemUTC()).send("hospital-b", TestMessages.echo("echo-w"), null);
        await().atMost(Duration.ofSeconds(20)).until(() -> ran.contains("ECHO_RQ echo-w"));
        sender("hospital-a", ka, java.time.Clock.systemUTC()).send("hospital-b", TestMessages.echo("echo-a"), null);
        await().atMost(Duration.ofSeconds(20)).until(() -> ran.contains("ECHO_RQ echo-a"));
    }

    @Test void aCapturedMoveRequestRunsOnceAndTheReplayMemorySurvivesARestartOfTheReceiver() throws Exception {
        CloudCourier b = routerB(inboxes.transport("hospital-b"), LinkGuards.DEFAULT_MAX_PAYLOAD_BYTES);
        CloudCourier a = sender("hospital-a", ka, java.time.Clock.systemUTC());
        a.send("hospital-b", TestMessages.move("move-1"), null);
        await().atMost(WAIT).until(() -> ran.contains("MOVE_RQ move-1"));
        byte[] notification = inboxes.published.get(0);

        b.close();
        couriers.remove(b);
        routerB(inboxes.transport("hospital-b"), LinkGuards.DEFAULT_MAX_PAYLOAD_BYTES); // restarted, same state folder
        inboxes.transport("hospital-x").publish("hospital-b", notification);
        a.send("hospital-b", TestMessages.echo("echo-after"), null);
        await().atMost(WAIT).until(() -> ran.contains("ECHO_RQ echo-after"));
        assertThat(ran).containsExactly("MOVE_RQ move-1", "ECHO_RQ echo-after");
        assertThat(warnings).anyMatch(w -> w.contains("refused MOVE_RQ of operation move-1 from router hospital-a") && w.contains("a replay"));
    }

    /** An acknowledgement is a round trip to the inbox: the poller does not wait for it (over a WAN that made it one frame per round trip). */
    @Test void framesRunWhileTheirAcknowledgementsAreStillOnTheirWay() throws Exception {
        BridgeTransport real = inboxes.transport("hospital-b");
        java.util.concurrent.CountDownLatch acksAnswered = new java.util.concurrent.CountDownLatch(1);
        AtomicInteger acksSent = new AtomicInteger();
        BridgeTransport slowAcks = new BridgeTransport() {
            @Override public void publish(String to, byte[] message) throws IOException {
                real.publish(to, message);
            }

            @Override public List<Notifications.Notification> poll(Duration timeout) throws IOException {
                return real.poll(timeout);
            }

            @Override public void ack(String id) {
                acksSent.incrementAndGet();
                try {
                    acksAnswered.await(30, java.util.concurrent.TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        routerB(slowAcks, LinkGuards.DEFAULT_MAX_PAYLOAD_BYTES);
        CloudCourier a = sender("hospital-a", ka, java.time.Clock.systemUTC());
        for (int i = 0; i < 6; i++) a.send("hospital-b", TestMessages.echo("echo-" + i), null);
        await().atMost(WAIT).until(() -> ran.size() == 6);
        assertThat(acksSent.get()).as("acknowledgements on their way, none answered yet").isPositive();
        acksAnswered.countDown();
    }

    /**
     * An inbox that takes acknowledgements with a poll (the Bridge's): what one poll brought is acknowledged by the
     * next poll's own request, never by a request of its own.
     */
    @Test void acknowledgementsRideOnTheNextPollWhereTheInboxTakesThem() throws Exception {
        BridgeTransport real = inboxes.transport("hospital-b");
        List<String> delivered = new CopyOnWriteArrayList<>();
        List<String> carried = new CopyOnWriteArrayList<>();
        AtomicInteger acksApart = new AtomicInteger();
        BridgeTransport carrying = new BridgeTransport() {
            @Override public void publish(String to, byte[] message) throws IOException {
                real.publish(to, message);
            }

            @Override public List<Notifications.Notification> poll(Duration timeout) throws IOException {
                return poll(timeout, null, List.of());
            }

            @Override public List<Notifications.Notification> poll(Duration timeout, String pollerId, List<String> acknowledge) throws IOException {
                carried.addAll(acknowledge);
                List<Notifications.Notification> got = real.poll(timeout);
                got.forEach(n -> delivered.add(n.id()));
                return got;
            }

            @Override public boolean acknowledgesInPolls() {
                return true;
            }

            @Override public void ack(String id) {
                acksApart.incrementAndGet();
            }
        };
        routerB(carrying, LinkGuards.DEFAULT_MAX_PAYLOAD_BYTES);
        CloudCourier a = sender("hospital-a", ka, java.time.Clock.systemUTC());
        for (int i = 0; i < 6; i++) {
            a.send("hospital-b", TestMessages.echo("echo-" + i), null);
            int n = i + 1;
            await().atMost(WAIT).until(() -> ran.size() == n);
        }
        // the sixth is acknowledged by the poll after it, which is parked now
        await().atMost(WAIT).until(() -> carried.size() == 6);
        assertThat(carried).containsExactlyElementsOf(delivered);
        assertThat(acksApart.get()).as("no acknowledgement needed a request of its own").isZero();
    }

    @Test void aFailedAcknowledgementGivesExactlyOneExecution() throws Exception {
        BridgeTransport real = inboxes.transport("hospital-b");
        AtomicInteger failedAcks = new AtomicInteger();
        Map<String, byte[]> delivered = new ConcurrentHashMap<>();
        // The Bridge's inbox: an acknowledgement that fails leaves the notification there, and it comes back
        // after the visibility timeout (at once here). Only the first acknowledgement of each fails.
        BridgeTransport atLeastOnce = new BridgeTransport() {
            private final Map<String, Boolean> failedOnce = new ConcurrentHashMap<>();

            @Override public void publish(String to, byte[] message) throws IOException {
                real.publish(to, message);
            }

            @Override public List<Notifications.Notification> poll(Duration timeout) throws IOException {
                List<Notifications.Notification> got = real.poll(timeout);
                for (Notifications.Notification n : got) delivered.put(n.id(), n.payload());
                return got;
            }

            @Override public void ack(String id) throws IOException {
                if (failedOnce.putIfAbsent(java.util.Arrays.toString(delivered.get(id)), true) == null) {
                    failedAcks.incrementAndGet();
                    real.publish("hospital-b", delivered.get(id)); // delivered again
                    throw new IOException("the Bridge did not answer the acknowledgement");
                }
            }
        };
        routerB(atLeastOnce, LinkGuards.DEFAULT_MAX_PAYLOAD_BYTES);
        CloudCourier a = sender("hospital-a", ka, java.time.Clock.systemUTC());
        a.send("hospital-b", TestMessages.move("move-1"), null);
        a.send("hospital-b", TestMessages.store("store-1"), out -> out.write(new byte[1000]));
        await().atMost(WAIT).until(() -> failedAcks.get() == 2); // both delivered again, ahead of the echo below
        a.send("hospital-b", TestMessages.echo("echo-after"), null);
        await().atMost(WAIT).until(() -> ran.contains("ECHO_RQ echo-after"));
        assertThat(ran).containsExactlyInAnyOrder("MOVE_RQ move-1", "STORE_RQ store-1", "ECHO_RQ echo-after");
        assertThat(refusals("hospital-a", "a replay")).as("a flood of replays is one line per sender and reason, then a count").isEqualTo(1);
    }

    @Test void aFrameOlderThanTheMaximumAgeIsRefusedAndOneWithinItRuns() throws Exception {
        routerB(inboxes.transport("hospital-b"), LinkGuards.DEFAULT_MAX_PAYLOAD_BYTES);
        MovableClock late = new MovableClock(clock.instant().minus(LinkGuards.DEFAULT_MAX_AGE).minusSeconds(1));
        CloudCourier a = sender("hospital-a", ka, late);
        a.send("hospital-b", TestMessages.find("find-old"), null);
        await().atMost(WAIT).until(() -> refusals("hospital-a", "too old") == 1);
        late.advance(Duration.ofSeconds(2));
        a.send("hospital-b", TestMessages.find("find-recent"), null);
        await().atMost(WAIT).until(() -> ran.contains("FIND_RQ find-recent"));
        assertThat(ran).containsExactly("FIND_RQ find-recent");
    }

    @Test void aPayloadOverTheLimitIsRefusedWhileItStreams() throws Exception {
        routerB(inboxes.transport("hospital-b"), 10_000);
        CloudCourier a = sender("hospital-a", ka, java.time.Clock.systemUTC());
        a.send("hospital-b", TestMessages.store("small"), out -> out.write(new byte[10_000]));
        a.send("hospital-b", TestMessages.store("large"), out -> out.write(new byte[10_001]));
        await().atMost(WAIT).until(() -> ran.contains("STORE_RQ small") && payloadErrors.size() == 1);
        assertThat(payloadErrors.get(0)).isInstanceOf(PayloadTooLargeException.class)
                .hasMessageContaining("the payload of STORE_RQ from router hospital-a is larger than the limit of 10000 bytes");
        assertThat(ran).containsExactly("STORE_RQ small");
    }

    @Test void aPayloadBoundToAnotherFrameAndAFrameOverOneMebibyteAreRefused() throws Exception {
        routerB(inboxes.transport("hospital-b"), LinkGuards.DEFAULT_MAX_PAYLOAD_BYTES);
        PublicKeys b = directory.get("hospital-b");
        long now = clock.millis();
        // Sealed by router A itself (its keys), but the payload names another frame than the one that carries it.
        try (FileSystemBlobStore s = new FileSystemBlobStore(cloud); OutputStream up = s.create("blob-moved-0123456789", "hospital-b");
             OutputStream sealed = Envelope.seal(up, ka, "hospital-a", b, CloudCourier.PAYLOAD, "blob-moved-0123456789",
                     Stamp.of(1, now).forPayloadOf("frame-other"))) {
            sealed.write(new byte[100]);
        }
        publishFrame(b, "frame-1", 2, now, LinkCodec.encode(TestMessages.store("store-moved"), "blob-moved-0123456789"));
        await().atMost(WAIT).until(() -> payloadErrors.size() == 1);
        assertThat(payloadErrors.get(0)).hasMessageContaining("does not belong to its frame STORE_RQ of operation store-moved from router hospital-a");

        publishFrame(b, "frame-2", 3, now, LinkCodec.encode(new LinkMessage.FindRq("find-huge", "PACS", "WS", TestMessages.STUDY_ROOT_FIND,
                "x".repeat(CloudCourier.MAX_FRAME_BYTES)), null));
        await().atMost(WAIT).until(() -> warnings.stream().anyMatch(w -> w.contains("router hospital-a") && w.contains("larger than the limit of 1048576")));
        assertThat(ran).isEmpty();
    }

    @Test void anAuthenticFrameThatDoesNotDecodeIsRefusedWithItsReasonAndItsPayloadDeleted() throws Exception {
        routerB(inboxes.transport("hospital-b"), LinkGuards.DEFAULT_MAX_PAYLOAD_BYTES);
        PublicKeys b = directory.get("hospital-b");
        long now = clock.millis();
        String blob = "blob-unknown-0123456789";
        try (FileSystemBlobStore s = new FileSystemBlobStore(cloud); OutputStream up = s.create(blob, "hospital-b")) {
            up.write(new byte[100]);
        }
        // Signed by router A, so authentic; but of a type this router does not know, and with a field no ECHO_RQ has.
        publishFrame(b, "frame-1", 1, now, ("{\"type\":\"STORE_RQ_V3\",\"blob\":\"" + blob + "\",\"message\":{}}").getBytes(StandardCharsets.UTF_8));
        publishFrame(b, "frame-2", 2, now, ("{\"type\":\"ECHO_RQ\",\"blob\":null,\"message\":{\"operationId\":\"echo-1\","
                + "\"calledAe\":\"PACS\",\"callingAe\":\"WS\",\"priority\":1}}").getBytes(StandardCharsets.UTF_8));
        // One line per sender, then a count (RepeatingLog): the second refusal is counted, not logged again.
        await().atMost(WAIT).until(() -> warnings.stream().anyMatch(w -> w.contains("rejected a message in the inbox from router hospital-a")
                && w.contains("unknown message type 'STORE_RQ_V3'")));
        await().atMost(WAIT).until(() -> {
            try (FileSystemBlobStore s = new FileSystemBlobStore(cloud); InputStream in = s.open(blob)) {
                return false;
            } catch (IOException gone) {
                return true;
            }
        });
        // A well-formed frame behind them runs: the inbox goes on, and only it reached a handler.
        publishFrame(b, "frame-3", 3, now, LinkCodec.encode(TestMessages.echo("echo-after"), null));
        await().atMost(WAIT).until(() -> ran.contains("ECHO_RQ echo-after"));
        assertThat(ran).as("no handler sees a message that does not decode").containsExactly("ECHO_RQ echo-after");
    }

    private void publishFrame(PublicKeys to, String frameId, long sequence, long now, byte[] message) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (OutputStream sealed = Envelope.sealSmall(bos, ka, "hospital-a", to, CloudCourier.FRAME, frameId, Stamp.of(sequence, now))) {
            sealed.write(message);
        }
        inboxes.transport("hospital-a").publish("hospital-b", bos.toByteArray());
    }
}
