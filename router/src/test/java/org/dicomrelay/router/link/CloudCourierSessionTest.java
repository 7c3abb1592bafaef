package org.dicomrelay.router.link;

import org.dicomrelay.relay.cloud.BridgeNotifications;
import org.dicomrelay.relay.cloud.fs.FileSystemBlobStore;
import org.dicomrelay.relay.crypto.PublicKeys;
import org.dicomrelay.relay.crypto.RouterKeys;
import org.dicomrelay.relay.crypto.SessionKeyPairs;
import org.dicomrelay.relay.crypto.SessionPolicy;
import org.dicomrelay.relay.crypto.Sessions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Link sessions through the courier (issue 9, point 5): once two routers have heard from each
 * other, their frames and payloads go in sessions with no public-key work per message; a
 * captured session frame re-posted runs nothing again (the replay guard still judges every frame).
 */
@Timeout(60)
class CloudCourierSessionTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    @TempDir Path cloud;
    @TempDir Path stateA;
    @TempDir Path stateB;
    private final MemoryInboxes inboxes = new MemoryInboxes();
    private final RouterKeys ka = RouterKeys.generate(), kb = RouterKeys.generate();
    private final Map<String, PublicKeys> directory = Map.of("hospital-a", ka.publicKeys("hospital-a"), "hospital-b", kb.publicKeys("hospital-b"));
    private final List<CloudCourier> couriers = new CopyOnWriteArrayList<>();
    private final List<String> ranAtB = new CopyOnWriteArrayList<>();
    private final List<String> ranAtA = new CopyOnWriteArrayList<>();

    @AfterEach void close() throws IOException {
        for (CloudCourier c : couriers) c.close();
    }

    private Sessions sessions(String id, RouterKeys keys, Path state) throws IOException {
        SessionPolicy p = SessionPolicy.DEFAULT;
        return new Sessions(id, keys, SessionKeyPairs.in(state.resolve("session-keys"), id, keys, p.keyRotation(), p.inFlight(), Clock.systemUTC()),
                p, Clock.systemUTC());
    }

    private CloudCourier courier(Sessions s, Path state) throws IOException {
        CloudCourier c = new CloudCourier(s, directory::get, new FileSystemBlobStore(cloud), new BridgeNotifications(inboxes.transport(s.routerId())),
                2, LinkGuards.in(state.resolve("link")));
        couriers.add(c);
        return c;
    }

    @Test
    void framesAndPayloadsOfASessionDoNoPublicKeyWorkAndAReplayedSessionFrameRunsNothing() throws IOException {
        Sessions sa = sessions("hospital-a", ka, stateA);
        Sessions sb = sessions("hospital-b", kb, stateB);
        CloudCourier a = courier(sa, stateA);
        CloudCourier b = courier(sb, stateB);
        b.start((from, frame, payload) -> {
            String body = payload == null ? "" : " " + new String(payload.readAllBytes(), StandardCharsets.US_ASCII);
            ranAtB.add(frame.getClass().getSimpleName() + " " + frame.operationId() + body);
            b.send(from, new LinkMessage.EchoRsp(frame.operationId(), 0, null, null), null);
        });
        a.start((from, frame, payload) -> ranAtA.add(frame.getClass().getSimpleName() + " " + frame.operationId()));

        // First contact: A does not know B's session key yet (per-message), B answers in a session and announces its key.
        a.send("hospital-b", TestMessages.echo("op-0"), null);
        await().atMost(WAIT).until(() -> ranAtA.contains("EchoRsp op-0"));
        assertThat(sa.knowsSessionKeyOf("hospital-b")).isTrue();
        assertThat(sb.knowsSessionKeyOf("hospital-a")).isTrue();
        a.send("hospital-b", TestMessages.echo("op-1"), null); // opens A's session to B
        await().atMost(WAIT).until(() -> ranAtA.contains("EchoRsp op-1"));

        long aBefore = sa.publicKeyOperations();
        long bBefore = sb.publicKeyOperations();
        int publishedBefore = inboxes.published.size();
        for (int i = 2; i < 12; i++) {
            String body = "data set " + i;
            a.send("hospital-b", TestMessages.store("op-" + i), out -> out.write(body.getBytes(StandardCharsets.US_ASCII)));
        }
        await().atMost(WAIT).until(() -> ranAtA.size() == 12);
        for (int i = 2; i < 12; i++) assertThat(ranAtB).contains("StoreRq op-" + i + " data set " + i);
        assertThat(sa.publicKeyOperations()).as("A's public-key operations for 10 frames, 10 payloads and 10 answers").isEqualTo(aBefore);
        assertThat(sb.publicKeyOperations()).as("B's public-key operations for the same").isEqualTo(bBefore);

        // A captured STORE_RQ notification of the session, posted again: refused by the replay guard, nothing runs twice.
        byte[] capturedFrame = inboxes.published.get(publishedBefore);
        int ranBefore = ranAtB.size();
        inboxes.transport("hospital-a").publish("hospital-b", capturedFrame);
        a.send("hospital-b", TestMessages.echo("op-after"), null);
        await().atMost(WAIT).until(() -> ranAtA.contains("EchoRsp op-after"));
        assertThat(ranAtB).hasSize(ranBefore + 1).last().isEqualTo("EchoRq op-after");
    }
}
