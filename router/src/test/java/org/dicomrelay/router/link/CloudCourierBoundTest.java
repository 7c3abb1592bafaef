package org.dicomrelay.router.link;

import org.dicomrelay.dicom.net.dimse.Status;
import org.dicomrelay.relay.cloud.BridgeNotifications;
import org.dicomrelay.relay.cloud.fs.FileSystemBlobStore;
import org.dicomrelay.relay.crypto.PublicKeys;
import org.dicomrelay.relay.crypto.RouterKeys;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 9, "a hostile peer exhausts resources", through the courier: a router flooding another
 * with C-STORE requests gets at most N handled at once; beyond its queue it is answered A700
 * with {@code failure: transient} (so it retries later) and its payloads are deleted; another
 * router is served meanwhile, and a CANCEL from the flooding router still gets through.
 */
@Timeout(60)
class CloudCourierBoundTest {
    private static final int N = 2;
    private static final int QUEUE = 5;
    private static final Duration WAIT = Duration.ofSeconds(20);
    @TempDir Path cloud;
    private final MemoryInboxes inboxes = new MemoryInboxes();
    private final RouterKeys ka = RouterKeys.generate(), kx = RouterKeys.generate(), ky = RouterKeys.generate();
    private final Map<String, PublicKeys> directory = Map.of("hospital-a", ka.publicKeys("hospital-a"),
            "hospital-x", kx.publicKeys("hospital-x"), "hospital-y", ky.publicKeys("hospital-y"));
    private final CountDownLatch release = new CountDownLatch(1);
    private final List<CloudCourier> couriers = new CopyOnWriteArrayList<>();

    @AfterEach void close() throws IOException {
        release.countDown();
        for (CloudCourier c : couriers) c.close();
    }

    private CloudCourier courier(String id, RouterKeys keys, int perPeer, int queue) throws IOException {
        CloudCourier c = new CloudCourier(id, keys, directory::get, new FileSystemBlobStore(cloud),
                new BridgeNotifications(inboxes.transport(id)), perPeer, queue);
        couriers.add(c);
        return c;
    }

    private long blobsInCloud() throws IOException {
        try (Stream<Path> files = Files.walk(cloud)) {
            return files.filter(Files::isRegularFile).count();
        }
    }

    @Test void aFloodingRouterRunsAtMostNAtOnceIsAnsweredA700BeyondItsQueueAndDelaysNoOne() throws Exception {
        AtomicInteger running = new AtomicInteger(), maxRunning = new AtomicInteger();
        List<String> stored = new CopyOnWriteArrayList<>();
        CountDownLatch echoFromY = new CountDownLatch(1), cancelFromX = new CountDownLatch(1);
        CloudCourier a = courier("hospital-a", ka, N, QUEUE);
        a.start((from, frame, payload) -> {
            if (frame instanceof LinkMessage.StoreRq) {
                    maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
                    try {
                        payload.readAllBytes();
                        release.await(WAIT.toSeconds(), TimeUnit.SECONDS);
                        stored.add(frame.operationId());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    } finally {
                        running.decrementAndGet();
                    }
            } else if (frame instanceof LinkMessage.EchoRq) {
                echoFromY.countDown();
            } else if (frame instanceof LinkMessage.Cancel) {
                cancelFromX.countDown();
            }
        });
        List<LinkMessage> answers = new CopyOnWriteArrayList<>();
        CloudCourier x = courier("hospital-x", kx, N, QUEUE);
        x.start((from, frame, payload) -> answers.add(frame));
        CloudCourier y = courier("hospital-y", ky, N, QUEUE);

        int sent = N + QUEUE + 3;
        for (int i = 0; i < sent; i++) {
            x.send("hospital-a", TestMessages.store("store-" + i), out -> out.write("a data set".getBytes(StandardCharsets.US_ASCII)));
        }
        await().atMost(WAIT).until(() -> answers.size() == 3);
        assertThat(running.get()).isEqualTo(N);
        for (LinkMessage m : answers) {
            assertThat(m).isInstanceOf(LinkMessage.StoreRsp.class);
            LinkMessage.StoreRsp f = (LinkMessage.StoreRsp) m;
            assertThat(f.status()).as("PS3.4 B.2.3 Refused: Out of Resources").isEqualTo(Status.OUT_OF_RESOURCES.code());
            assertThat(f.failure()).isEqualTo(Failure.TRANSIENT);
        }

        y.send("hospital-a", TestMessages.echo("echo-y"), null);
        assertThat(echoFromY.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("hospital-y is not delayed by hospital-x").isTrue();
        x.send("hospital-a", new LinkMessage.Cancel("store-0"), null);
        assertThat(cancelFromX.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("a CANCEL overtakes the running operations").isTrue();

        release.countDown();
        await().atMost(WAIT).until(() -> stored.size() == N + QUEUE);
        assertThat(maxRunning.get()).isEqualTo(N);
        List<String> refused = answers.stream().map(LinkMessage::operationId).toList();
        assertThat(stored).doesNotHaveDuplicates().doesNotContainAnyElementsOf(refused);
        await().atMost(WAIT).until(() -> blobsInCloud() == 0); // refused payloads deleted, accepted ones consumed
    }
}
