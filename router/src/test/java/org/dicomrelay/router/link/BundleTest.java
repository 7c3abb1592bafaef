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
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Issue 10 item 2, bundles: small C-STOREs to one router and called AE travel in one sealed blob with one
 * STORE_BUNDLE notification, sent when the bundle is full or its linger ran out; router B hands each entry to
 * the C-STORE handler as the request it is, byte-identical and in order. A forged segment stops the bundle at
 * the entry being read (its handler sees the failure: the C-STORE is aborted) and every later entry is answered
 * with a transient failure, so router A resends those objects.
 */
@Timeout(60)
class BundleTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Duration NEVER = Duration.ofHours(1);
    @TempDir Path cloud;
    private final MemoryInboxes inboxes = new MemoryInboxes();
    private final RouterKeys ka = RouterKeys.generate(), kb = RouterKeys.generate();
    private final Map<String, PublicKeys> directory = Map.of("hospital-a", ka.publicKeys("hospital-a"), "hospital-b", kb.publicKeys("hospital-b"));
    private final List<CloudCourier> couriers = new CopyOnWriteArrayList<>();
    /** What router B's handler received, in order: the message and, for a C-STORE, its bytes (null when reading them failed). */
    private final List<LinkMessage> atB = new CopyOnWriteArrayList<>();
    private final Map<String, byte[]> storedAtB = new ConcurrentHashMap<>();
    private final List<String> failedReadsAtB = new CopyOnWriteArrayList<>();
    /** Blobs in the cloud when the handler had read each object to its end (and would answer). */
    private final Map<String, Integer> blobsWhenReadAtB = new ConcurrentHashMap<>();
    /** The answers router A received. */
    private final Map<String, LinkMessage.StoreRsp> answersAtA = new ConcurrentHashMap<>();

    private CloudCourier courier(String id, RouterKeys keys) throws IOException {
        CloudCourier c = new CloudCourier(id, keys, directory::get, new FileSystemBlobStore(cloud), new BridgeNotifications(inboxes.transport(id)));
        couriers.add(c);
        return c;
    }

    @AfterEach void close() throws IOException {
        for (CloudCourier c : couriers) c.close();
    }

    private CloudCourier routerA(long objectMax, long bundleBytes, Duration linger) throws IOException {
        CloudCourier a = courier("hospital-a", ka).bundling(objectMax, bundleBytes, linger);
        a.start((from, m, payload) -> {
            if (m instanceof LinkMessage.StoreRsp rsp) answersAtA.put(rsp.operationId(), rsp);
        });
        return a;
    }

    /** Router B's handler: reads each C-STORE's object to its end, as the C-STORE handler streams it into the PACS. */
    private CloudCourier routerB(CountDownLatch holdStores) throws IOException {
        CloudCourier b = courier("hospital-b", kb);
        b.start((from, m, payload) -> {
            atB.add(m);
            if (!(m instanceof LinkMessage.StoreRq rq)) return;
            try {
                holdStores.await(WAIT.toSeconds(), TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            try {
                byte[] bytes = payload.readAllBytes();
                blobsWhenReadAtB.put(rq.operationId(), blobs().size());
                storedAtB.put(rq.operationId(), bytes);
            } catch (IOException e) {
                failedReadsAtB.add(rq.operationId()); // the C-STORE handler aborts its association here: nothing stored
            }
        });
        return b;
    }

    private CloudCourier routerB() throws IOException {
        return routerB(new CountDownLatch(0));
    }

    private static byte[] object(int size, int seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static CompletionStage<Void> store(CloudCourier a, String op, byte[] bytes) throws IOException {
        return a.sendStore("hospital-b", TestMessages.store(op), bytes.length, out -> out.write(bytes));
    }

    /** What an object of {@code size} bytes adds to a bundle. */
    private static long entryBytes(String op, int size) throws IOException {
        return LinkCodec.encode(TestMessages.store(op), null).length + BundleEntries.FRAMING_BYTES + size;
    }

    private List<String> storesAtB() {
        return atB.stream().filter(m -> m instanceof LinkMessage.StoreRq).map(LinkMessage::operationId).toList();
    }

    private List<Path> blobs() throws IOException {
        try (Stream<Path> s = Files.walk(cloud)) {
            // Stored blobs only (under a folder named by their first two characters), not uploads in progress.
            return s.filter(Files::isRegularFile).filter(p -> p.getParent().getFileName().toString().length() == 2).toList();
        }
    }

    @Test void mixedSizesArriveByteIdenticalInOrderWithOneNotificationPerBundle() throws Exception {
        int max = 64 * 1024;
        // A linger long enough that a loaded machine appends all seven before it runs out (it decides how many bundles go).
        CloudCourier a = routerA(max, 1L << 30, Duration.ofSeconds(2));
        routerB();
        // Exactly at the object threshold is bundled, one byte above goes alone; a large one between small ones.
        int[] sizes = {1000, max, max + 1, 10, 300_000, max, 1};
        Map<String, byte[]> sent = new java.util.LinkedHashMap<>();
        List<CompletionStage<Void>> stages = new ArrayList<>();
        for (int i = 0; i < sizes.length; i++) {
            byte[] bytes = object(sizes[i], i);
            sent.put("op-" + i, bytes);
            stages.add(store(a, "op-" + i, bytes));
        }
        await().atMost(WAIT).until(() -> storedAtB.size() == sizes.length);
        for (Map.Entry<String, byte[]> e : sent.entrySet()) assertThat(storedAtB.get(e.getKey())).as(e.getKey()).isEqualTo(e.getValue());
        assertThat(inboxes.published).as("one bundle of five and two objects alone").hasSize(3);
        List<String> bundled = storesAtB().stream().filter(op -> !op.equals("op-2") && !op.equals("op-4")).toList();
        assertThat(bundled).as("entries in the order they were appended").containsExactly("op-0", "op-1", "op-3", "op-5", "op-6");
        for (CompletionStage<Void> s : stages) assertThat(s.toCompletableFuture()).isCompleted();
        await().atMost(WAIT).until(() -> blobs().isEmpty()); // each read to its end and deleted by router B
    }

    @Test void aFullBundleGoesAtOnceAndAnOpenOneHoldsNoThread() throws Exception {
        // Full at exactly three entries of 1000 bytes; the linger never runs out within the test.
        long full = entryBytes("full-0", 1000) + entryBytes("full-1", 1000) + entryBytes("full-2", 1000);
        CloudCourier a = routerA(1 << 20, full, NEVER);
        routerB();
        CompletableFuture<Void> first = store(a, "full-0", object(1000, 0)).toCompletableFuture();
        CompletableFuture<Void> second = store(a, "full-1", object(1000, 1)).toCompletableFuture();
        assertThat(first).as("appended: the send returned before its bundle went").isNotDone();
        assertThat(second).isNotDone();
        assertThat(inboxes.published).isEmpty();
        CompletableFuture<Void> third = store(a, "full-2", object(1000, 2)).toCompletableFuture();
        assertThat(List.of(first, second, third)).as("the bundle went when it held bundleBytes").allMatch(CompletableFuture::isDone);
        assertThat(inboxes.published).hasSize(1);
        await().atMost(WAIT).until(() -> storedAtB.size() == 3);
        assertThat(storesAtB()).containsExactly("full-0", "full-1", "full-2");

        CompletableFuture<Void> last = store(a, "last", object(1000, 3)).toCompletableFuture();
        assertThat(last).isNotDone();
        a.close(); // an open bundle goes when the courier closes, not after its linger
        assertThat(last).isCompleted();
        await().atMost(WAIT).until(() -> storedAtB.containsKey("last"));
        assertThat(inboxes.published).hasSize(2);
    }

    @Test void aBundleGoesWhenItsLingerRunsOut() throws Exception {
        CloudCourier a = routerA(1 << 20, 1L << 30, Duration.ofMillis(50));
        routerB();
        List<CompletableFuture<Void>> stages = new ArrayList<>();
        for (int i = 0; i < 3; i++) stages.add(store(a, "linger-" + i, object(5000, i)).toCompletableFuture());
        await().atMost(WAIT).until(() -> stages.stream().allMatch(CompletableFuture::isDone));
        await().atMost(WAIT).until(() -> storedAtB.size() == 3);
        assertThat(inboxes.published).as("three objects within the linger: one notification").hasSize(1);
        assertThat(storesAtB()).containsExactly("linger-0", "linger-1", "linger-2");
        assertThat(blobsWhenReadAtB.get("linger-0")).as("read to its end while later entries follow").isEqualTo(1);
        assertThat(blobsWhenReadAtB.get("linger-2")).as("the last entry ends with the bundle, deleted before its answer").isZero();
    }

    @Test void aForgedSegmentAbortsTheEntryBeingReadAndEveryLaterEntryIsAnsweredWithAFailure() throws Exception {
        int n = 12, size = 300_000; // 3.6 MB: four 1 MiB segments
        inboxes.transport("hospital-b"); // its inbox exists; router B polls it later
        long full = 0;
        for (int i = 0; i < n; i++) full += entryBytes("forged-" + i, size);
        CloudCourier a = routerA(1 << 20, full, NEVER); // the bundle goes with its twelfth object
        Map<String, byte[]> sent = new java.util.LinkedHashMap<>();
        List<CompletableFuture<Void>> stages = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byte[] bytes = object(size, i);
            sent.put("forged-" + i, bytes);
            stages.add(store(a, "forged-" + i, bytes).toCompletableFuture());
        }
        assertThat(stages).allMatch(f -> f.isDone() && !f.isCompletedExceptionally());
        assertThat(inboxes.published).hasSize(1);
        List<Path> blobs = blobs();
        assertThat(blobs).hasSize(1);
        try (RandomAccessFile f = new RandomAccessFile(blobs.get(0).toFile(), "rw")) {
            long at = 1_500_000; // inside the second segment
            f.seek(at);
            int b = f.read();
            f.seek(at);
            f.write(b ^ 0x01);
        }
        routerB();
        await().atMost(WAIT).until(() -> failedReadsAtB.size() == 1);
        String forged = failedReadsAtB.get(0);
        int k = Integer.parseInt(forged.substring("forged-".length()));
        assertThat(k).as("the entry that spans the forged segment").isBetween(1, n - 2);
        for (int i = 0; i < k; i++) assertThat(storedAtB.get("forged-" + i)).as("entry " + i).isEqualTo(sent.get("forged-" + i));
        assertThat(storedAtB).as("nothing of or after the forged entry stored").hasSize(k);
        await().atMost(WAIT).until(() -> answersAtA.size() == n - 1 - k);
        for (int i = k + 1; i < n; i++) {
            LinkMessage.StoreRsp rsp = answersAtA.get("forged-" + i);
            assertThat(rsp).as("entry " + i).isNotNull();
            assertThat(rsp.status()).isEqualTo(0xA700);
            assertThat(rsp.failure()).as("sent again by router A").isEqualTo(Failure.TRANSIENT);
            assertThat(rsp.error()).contains("nothing of it stored");
        }
        assertThat(storesAtB()).as("no entry after the forged one reached the handler").hasSize(k + 1);
    }

    @Test void aReplayedBundleRunsNothing() throws Exception {
        CloudCourier a = routerA(1 << 20, 1L << 30, Duration.ofMillis(10));
        routerB();
        for (int i = 0; i < 3; i++) store(a, "replay-" + i, object(100, i));
        await().atMost(WAIT).until(() -> storedAtB.size() == 3);
        byte[] bundle = inboxes.published.get(0);
        inboxes.transport("hospital-a").publish("hospital-b", bundle);
        a.send("hospital-b", TestMessages.echo("echo-after"), null);
        await().atMost(WAIT).until(() -> atB.stream().anyMatch(m -> m.operationId().equals("echo-after")));
        assertThat(atB).extracting(LinkMessage::operationId).containsExactly("replay-0", "replay-1", "replay-2", "echo-after");
    }

    @Test void aC_FIND_IsServedWhileABundleIsHeldAtTheDevice() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CloudCourier a = routerA(1 << 20, 1L << 30, Duration.ofMillis(1));
        routerB(release);
        for (int i = 0; i < 20; i++) store(a, "held-" + i, object(100_000, i));
        await().atMost(WAIT).until(() -> storesAtB().contains("held-0")); // the first entry is held at the PACS
        a.send("hospital-b", TestMessages.find("find-1"), null);
        await().atMost(WAIT).until(() -> atB.stream().anyMatch(m -> m instanceof LinkMessage.FindRq));
        assertThat(storedAtB).as("the C-FIND ran while the bundle's C-STOREs waited").isEmpty();
        release.countDown();
        await().atMost(WAIT).until(() -> storedAtB.size() == 20);
    }

    @Test void anAbandonedEntryLeavesTheSharedBlobUntilEveryEntryIsDone() throws Exception {
        inboxes.transport("hospital-b");
        long full = entryBytes("ab-0", 100) + entryBytes("ab-1", 100);
        CloudCourier a = routerA(1 << 20, full, NEVER); // router B never reads: only abandonment ends the entries
        store(a, "ab-0", object(100, 0));
        store(a, "ab-1", object(100, 1));
        assertThat(blobs()).hasSize(1);
        a.abandon("hospital-b", "ab-0");
        assertThat(blobs()).as("another entry still awaits its answer").hasSize(1);
        a.abandon("hospital-b", "ab-1");
        assertThat(blobs()).as("withdrawn once every entry was abandoned").isEmpty();
    }

    @Test void anObjectThatCannotBeReadFailsItsBundleAndTheNextBundleGoes() throws Exception {
        CloudCourier a = routerA(1 << 20, 1L << 30, Duration.ofMillis(20));
        routerB();
        CompletableFuture<Void> first = store(a, "ok-0", object(100, 0)).toCompletableFuture();
        assertThatThrownBy(() -> a.sendStore("hospital-b", TestMessages.store("bad"), 100, out -> {
            out.write(new byte[50]);
            throw new IOException("the spool file is unreadable");
        })).hasMessageContaining("unreadable");
        await().atMost(WAIT).until(first::isDone);
        assertThat(first).as("its bundle never went: the spool sends it again").isCompletedExceptionally();
        CompletableFuture<Void> next = store(a, "ok-1", object(100, 1)).toCompletableFuture();
        await().atMost(WAIT).until(() -> storedAtB.containsKey("ok-1"));
        assertThat(next).isCompleted();
        assertThat(storedAtB).containsOnlyKeys("ok-1");
        assertThat(inboxes.published).hasSize(1);
    }

    @Test void aBundleHasOneStrictWireForm() throws Exception {
        LinkMessage.StoreBundle b = new LinkMessage.StoreBundle("bundle-1", "PACS", List.of("a", "b"));
        assertThat(LinkCodec.decode(LinkCodec.encode(b, org.dicomrelay.relay.cloud.BlobNames.random())).message()).isEqualTo(b);
        byte[] empty = "{\"type\":\"STORE_BUNDLE\",\"blob\":null,\"message\":{\"operationId\":\"x\",\"calledAe\":\"PACS\",\"operations\":[]}}".getBytes();
        assertThatThrownBy(() -> LinkCodec.decode(empty)).isInstanceOf(LinkCodec.MalformedMessageException.class).hasMessageContaining("missing operations");
        assertThat(Lane.of("hospital-a", b)).isEqualTo(new Lane("hospital-a", Lane.Kind.STORES, "PACS"));
    }
}
