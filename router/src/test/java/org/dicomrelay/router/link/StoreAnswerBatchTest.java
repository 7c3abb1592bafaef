package org.dicomrelay.router.link;

import org.dicomrelay.relay.cloud.BridgeNotifications;
import org.dicomrelay.relay.cloud.fs.FileSystemBlobStore;
import org.dicomrelay.relay.crypto.PublicKeys;
import org.dicomrelay.relay.crypto.RouterKeys;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 10 item 1, answers acknowledged in batches: router B's STORE answers to one router that
 * become ready together travel as one sealed, stamped STORE_RSP_BATCH frame (one notification),
 * and router A's courier hands each answer to its handler as if it had come alone. Interactive
 * answers (C-ECHO, C-FIND) never wait for a batch.
 */
@Timeout(60)
class StoreAnswerBatchTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Duration FOREVER = Duration.ofHours(1);
    @TempDir Path cloud;
    private final MemoryInboxes inboxes = new MemoryInboxes();
    private final RouterKeys ka = RouterKeys.generate(), kb = RouterKeys.generate();
    private final Map<String, PublicKeys> directory = Map.of("hospital-a", ka.publicKeys("hospital-a"), "hospital-b", kb.publicKeys("hospital-b"));
    private final List<CloudCourier> couriers = new CopyOnWriteArrayList<>();
    /** What router A's handler received. */
    private final List<LinkMessage> atA = new CopyOnWriteArrayList<>();

    private CloudCourier courier(String id, RouterKeys keys) throws IOException {
        CloudCourier c = new CloudCourier(id, keys, directory::get, new FileSystemBlobStore(cloud), new BridgeNotifications(inboxes.transport(id)));
        couriers.add(c);
        return c;
    }

    @AfterEach void close() throws IOException {
        for (CloudCourier c : couriers) c.close();
    }

    private CloudCourier routerA() throws IOException {
        CloudCourier a = courier("hospital-a", ka);
        a.start((from, message, payload) -> atA.add(message));
        return a;
    }

    private static List<String> operations(int n) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) ids.add("op-" + i);
        return ids;
    }

    @Test void answersReadyTogetherGoAsOneNotificationAndEachReachesTheHandler() throws Exception {
        routerA();
        CloudCourier b = courier("hospital-b", kb).batchingStoreAnswers(FOREVER, 10); // full at 10, never by linger
        List<String> ops = operations(10);
        for (String op : ops) b.send("hospital-a", new LinkMessage.StoreRsp(op, op.equals("op-3") ? 0xA700 : 0x0000, null, null), null);
        await().atMost(WAIT).until(() -> atA.size() == 10);
        assertThat(inboxes.published).as("one notification for ten answers").hasSize(1);
        assertThat(atA).allSatisfy(m -> assertThat(m).isInstanceOf(LinkMessage.StoreRsp.class));
        assertThat(atA).extracting(LinkMessage::operationId).containsExactlyInAnyOrderElementsOf(ops);
        assertThat(atA).filteredOn(m -> ((LinkMessage.StoreRsp) m).status() == 0xA700).extracting(LinkMessage::operationId).containsExactly("op-3");
    }

    @Test void whatWaitsGoesOutAfterTheLingerOrAtClose() throws Exception {
        routerA();
        CloudCourier b = courier("hospital-b", kb).batchingStoreAnswers(Duration.ofMillis(5), 64);
        for (String op : operations(3)) b.send("hospital-a", new LinkMessage.StoreRsp(op, 0x0000, null, null), null);
        await().atMost(WAIT).until(() -> atA.size() == 3);

        CloudCourier closing = courier("hospital-b", kb).batchingStoreAnswers(FOREVER, 64);
        closing.send("hospital-a", new LinkMessage.StoreRsp("last-1", 0x0000, null, null), null);
        closing.send("hospital-a", new LinkMessage.StoreRsp("last-2", 0x0000, null, null), null);
        closing.close();
        await().atMost(WAIT).until(() -> atA.size() == 5);
        assertThat(atA).extracting(LinkMessage::operationId).contains("last-1", "last-2");
    }

    @Test void interactiveAnswersNeverWaitForABatch() throws Exception {
        routerA();
        CloudCourier b = courier("hospital-b", kb).batchingStoreAnswers(FOREVER, 64);
        b.send("hospital-a", new LinkMessage.StoreRsp("store", 0x0000, null, null), null); // waits for its batch
        b.send("hospital-a", new LinkMessage.EchoRsp("echo", 0x0000, null, null), null);
        b.send("hospital-a", new LinkMessage.FindRsp("find", 0x0000, null, null, null), null);
        await().atMost(WAIT).until(() -> atA.size() == 2);
        assertThat(atA).extracting(LinkMessage::operationId).containsExactlyInAnyOrder("echo", "find");
    }

    @Test void theBatchHasOneStrictWireForm() throws Exception {
        LinkMessage.StoreRspBatch batch = new LinkMessage.StoreRspBatch("batch-1", List.of(
                new LinkMessage.StoreRsp("a", 0x0000, null, null), new LinkMessage.StoreRsp("b", 0xA900, "not a CT", Failure.PERMANENT)));
        assertThat(LinkCodec.decode(LinkCodec.encode(batch, null)).message()).isEqualTo(batch);
        byte[] empty = "{\"type\":\"STORE_RSP_BATCH\",\"blob\":null,\"message\":{\"operationId\":\"x\",\"answers\":[]}}".getBytes();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> LinkCodec.decode(empty))
                .isInstanceOf(LinkCodec.MalformedMessageException.class).hasMessageContaining("missing answers");
    }
}
