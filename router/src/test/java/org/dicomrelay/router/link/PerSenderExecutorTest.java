package org.dicomrelay.router.link;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 9, "a hostile peer exhausts resources" (300 frames gave 300 threads): at most N
 * operations of one sending router run at once, the rest wait in its own bounded queue, other
 * senders and cancels are not held up, and the frames of one operation keep their order.
 */
@Timeout(60)
class PerSenderExecutorTest {
    private static final int N = 4;
    private static final Duration WAIT = Duration.ofSeconds(20);
    private final CountDownLatch release = new CountDownLatch(1);
    private final AtomicInteger running = new AtomicInteger();
    private final AtomicInteger maxRunning = new AtomicInteger();
    private final Set<Thread> threads = ConcurrentHashMap.newKeySet();
    private PerSenderExecutor executor;

    @AfterEach void close() {
        release.countDown();
        if (executor != null) executor.close();
    }

    /** A handler that blocks until released, counting the handlers (and threads) running at once. */
    private Runnable blocking(List<String> done, String name) {
        return () -> {
            threads.add(Thread.currentThread());
            maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
            try {
                release.await(WAIT.toSeconds(), TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                running.decrementAndGet();
                done.add(name);
            }
        };
    }

    private static Lane requests(String sender) {
        return new Lane(sender, Lane.Kind.INTERACTIVE);
    }

    private static final String SC = "1.2.840.10008.5.1.4.1.1.7";

    /** The lane router B gives a C-STORE from {@code sender} to {@code calledAe}, as the courier classifies it. */
    private static Lane store(String sender, String calledAe) {
        return Lane.of(sender, new LinkMessage.StoreRq("op", calledAe, "WS", SC, "2.25.1", "1.2.840.10008.1.2"));
    }

    @Test void aFloodOfOneSenderRunsAtMostNAtOnceAndLosesNothingWhileAnotherSenderIsServed() throws Exception {
        executor = new PerSenderExecutor(N, lane -> 1000, "test-worker");
        List<String> done = new CopyOnWriteArrayList<>();
        for (int i = 0; i < 300; i++) assertThat(executor.execute(requests("hospital-x"), "op-" + i, blocking(done, "op-" + i))).isTrue();
        await().atMost(WAIT).until(() -> running.get() == N);

        CountDownLatch otherRan = new CountDownLatch(1);
        executor.execute(requests("hospital-y"), "op-y", otherRan::countDown);
        assertThat(otherRan.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("another sender is not delayed by the flood").isTrue();
        assertThat(running.get()).as("hospital-x still holds only its N slots").isEqualTo(N);

        release.countDown();
        await().atMost(WAIT).until(() -> done.size() == 300);
        assertThat(maxRunning.get()).isEqualTo(N);
        assertThat(threads).as("threads that ran hospital-x's frames").hasSizeLessThanOrEqualTo(N);
        assertThat(done).doesNotHaveDuplicates().hasSize(300);
    }

    @Test void framesOfOneOperationKeepTheirOrderWhileOperationsShareTheSlots() {
        executor = new PerSenderExecutor(2, lane -> 1000, "test-worker");
        List<String> seen = new CopyOnWriteArrayList<>();
        for (int i = 0; i < 100; i++) {
            for (String op : List.of("find-1", "find-2", "find-3", "find-4")) {
                String name = op + "#" + i;
                executor.execute(requests("hospital-x"), op, () -> {
                    maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
                    seen.add(name);
                    running.decrementAndGet();
                });
            }
        }
        await().atMost(WAIT).until(() -> seen.size() == 400);
        for (String op : List.of("find-1", "find-2", "find-3", "find-4")) {
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < 100; i++) expected.add(op + "#" + i);
            assertThat(seen.stream().filter(s -> s.startsWith(op + "#")).toList()).as("PS3.4 C-FIND pending responses in order").isEqualTo(expected);
        }
        assertThat(maxRunning.get()).isLessThanOrEqualTo(2);
    }

    @Test void aCancelOvertakesTheOperationsItsSenderIsRunning() throws Exception {
        executor = new PerSenderExecutor(1, lane -> 1000, "test-worker");
        List<String> done = new CopyOnWriteArrayList<>();
        executor.execute(requests("hospital-x"), "move-1", blocking(done, "move-1"));
        executor.execute(requests("hospital-x"), "move-2", blocking(done, "move-2"));
        await().atMost(WAIT).until(() -> running.get() == 1);

        // PS3.7 C.4.2.3 / 9.3.2.3: a C-CANCEL arrives while its C-MOVE is running and must reach it.
        CountDownLatch cancelled = new CountDownLatch(1);
        executor.execute(new Lane("hospital-x", Lane.Kind.CANCELS), "move-1", cancelled::countDown);
        assertThat(cancelled.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(done).isEmpty();
    }

    @Test void answersAreNotStarvedByTheSendersRequests() throws Exception {
        executor = new PerSenderExecutor(1, lane -> 1000, "test-worker");
        List<String> done = new CopyOnWriteArrayList<>();
        for (int i = 0; i < 10; i++) executor.execute(requests("hospital-x"), "store-" + i, blocking(done, "store-" + i));
        await().atMost(WAIT).until(() -> running.get() == 1);

        CountDownLatch answered = new CountDownLatch(1);
        executor.execute(new Lane("hospital-x", Lane.Kind.ANSWERS), "our-move", answered::countDown);
        assertThat(answered.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    }

    @Test void beyondTheQueueLimitFramesAreRefusedAndTheQueuedOnesStillRun() {
        executor = new PerSenderExecutor(1, lane -> 10, "test-worker");
        List<String> done = new CopyOnWriteArrayList<>();
        for (int i = 0; i < 11; i++) assertThat(executor.execute(requests("hospital-x"), "op-" + i, blocking(done, "op-" + i))).isTrue();
        await().atMost(WAIT).until(() -> running.get() == 1);
        assertThat(executor.execute(requests("hospital-x"), "op-11", blocking(done, "op-11"))).as("one running + 10 queued").isFalse();
        assertThat(executor.execute(requests("hospital-x"), "op-0", blocking(done, "op-0 again"))).as("a frame of a running operation too").isFalse();
        assertThat(executor.execute(requests("hospital-y"), "op-y", blocking(done, "op-y"))).as("another sender has its own queue").isTrue();

        release.countDown();
        await().atMost(WAIT).until(() -> done.size() == 12);
        assertThat(done).doesNotContain("op-11", "op-0 again");
    }

    /**
     * Issue 10 item 4, interactive first: with one slot per lane, C-STOREs of large objects hold
     * theirs (the object in flight), and a C-FIND and a C-ECHO of the same sender still run at once.
     */
    @Test void aFindAndAnEchoRunWhileTheSendersStoresHoldEverySlotOfTheirLane() throws Exception {
        executor = new PerSenderExecutor(1, lane -> 1000, "test-worker");
        List<String> done = new CopyOnWriteArrayList<>();
        for (int i = 0; i < 10; i++) executor.execute(store("hospital-a", "PACS_B"), "store-" + i, blocking(done, "store-" + i));
        await().atMost(WAIT).until(() -> running.get() == 1);

        CountDownLatch answered = new CountDownLatch(2);
        Lane find = Lane.of("hospital-a", new LinkMessage.FindRq("find-1", "PACS_B", "WS", "1.2.840.10008.5.1.4.1.2.2.1", "{}"));
        Lane echo = Lane.of("hospital-a", new LinkMessage.EchoRq("echo-1", "PACS_B", "WS"));
        executor.execute(find, "find-1", answered::countDown);
        executor.execute(echo, "echo-1", answered::countDown);
        assertThat(answered.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("C-FIND and C-ECHO ran while the stores are held").isTrue();
        assertThat(done).as("no store finished meanwhile").isEmpty();
    }

    /** Retrieve control (C-MOVE/C-GET) has its own lane: a long C-MOVE does not hold back C-FINDs, nor C-STOREs a C-MOVE. */
    @Test void retrievesHaveALaneOfTheirOwn() throws Exception {
        executor = new PerSenderExecutor(1, lane -> 1000, "test-worker");
        List<String> done = new CopyOnWriteArrayList<>();
        Lane move = Lane.of("hospital-a", new LinkMessage.MoveRq("move-1", "PACS_B", "WS", "1.2.840.10008.5.1.4.1.2.2.2", "{}"));
        Lane get = Lane.of("hospital-a", new LinkMessage.GetRq("get-1", "PACS_B", "WS", "1.2.840.10008.5.1.4.1.2.2.3", "{}"));
        assertThat(get).isEqualTo(move);
        executor.execute(store("hospital-a", "PACS_B"), "store-1", blocking(done, "store-1"));
        await().atMost(WAIT).until(() -> running.get() == 1);
        CountDownLatch moved = new CountDownLatch(1);
        executor.execute(move, "move-1", moved::countDown);
        assertThat(moved.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("C-MOVE ran while a store is held").isTrue();
        executor.execute(move, "move-2", blocking(done, "move-2"));
        await().atMost(WAIT).until(() -> running.get() == 2);
        CountDownLatch found = new CountDownLatch(1);
        executor.execute(requests("hospital-a"), "find-1", found::countDown);
        assertThat(found.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("C-FIND ran while a C-MOVE is held").isTrue();
    }

    /**
     * At router A, the answers of its C-FIND are not queued behind the INSTANCEs of its C-MOVE,
     * while a C-MOVE's INSTANCEs and its final answer share one lane (the final answer after them).
     */
    @Test void findAnswersOvertakeInstancesOfARetrieveWhoseFinalAnswerStaysBehindThem() throws Exception {
        Lane instance = Lane.of("hospital-b", new LinkMessage.Instance("move-1", SC, "2.25.1", "1.2.840.10008.1.2", 3));
        Lane moveRsp = Lane.of("hospital-b", new LinkMessage.MoveRsp("move-1", 0, 0, List.of(), null, null));
        Lane findRsp = Lane.of("hospital-b", new LinkMessage.FindRsp("find-1", 0xFF00, "{}", null, null));
        assertThat(moveRsp).as("a C-MOVE's final answer waits for its instances").isEqualTo(instance);
        assertThat(findRsp).isNotEqualTo(instance);

        executor = new PerSenderExecutor(1, lane -> 1000, "test-worker");
        List<String> done = new CopyOnWriteArrayList<>();
        executor.execute(instance, "move-1", blocking(done, "instance"));
        executor.execute(moveRsp, "move-1", () -> done.add("move final"));
        await().atMost(WAIT).until(() -> running.get() == 1);
        CountDownLatch answered = new CountDownLatch(1);
        executor.execute(findRsp, "find-1", answered::countDown);
        assertThat(answered.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("C-FIND answer delivered while an instance is held").isTrue();
        release.countDown();
        await().atMost(WAIT).until(() -> done.size() == 2);
        assertThat(done).containsExactly("instance", "move final");
    }

    /**
     * Issue 10 item 5, per-destination isolation: a dead PACS (its C-STOREs held, slots and queue
     * full) does not hold the same sender's C-STOREs to another device; the held ones all run once
     * it comes back, none lost.
     */
    @Test void storesToADeadDeviceDoNotHoldThoseToAnotherAndAllRunWhenItReturns() throws Exception {
        executor = new PerSenderExecutor(2, lane -> "DEAD_B".equals(lane.destination()) ? 20 : 1000, "test-worker");
        List<String> done = new CopyOnWriteArrayList<>();
        for (int i = 0; i < 22; i++) {
            assertThat(executor.execute(store("hospital-a", "DEAD_B"), "dead-" + i, blocking(done, "dead-" + i))).isTrue();
        }
        await().atMost(WAIT).until(() -> running.get() == 2);
        assertThat(executor.execute(store("hospital-a", "DEAD_B"), "dead-22", blocking(done, "dead-22")))
                .as("the dead device's queue is full: refused (router A retries it later)").isFalse();

        List<String> live = new CopyOnWriteArrayList<>();
        for (int i = 0; i < 100; i++) {
            String name = "live-" + i;
            assertThat(executor.execute(store("hospital-a", "LIVE_B"), name, () -> live.add(name))).isTrue();
        }
        await().atMost(WAIT).until(() -> live.size() == 100);
        assertThat(done).as("the dead device's stores are still held").isEmpty();
        assertThat(running.get()).isEqualTo(2);

        release.countDown();
        await().atMost(WAIT).until(() -> done.size() == 22);
        assertThat(done).doesNotHaveDuplicates().doesNotContain("dead-22");
    }

    /**
     * A sender naming many destinations at once (a hostile peer spraying AE titles) gets lanes of
     * their own for the first {@link PerSenderExecutor#DESTINATIONS_PER_SENDER} only; the rest share
     * one, so its threads stay bounded however many AE titles it names.
     */
    @Test void aSenderSprayingDestinationsStaysWithinItsBoundOfThreads() {
        executor = new PerSenderExecutor(2, lane -> 1000, "test-worker");
        List<String> done = new CopyOnWriteArrayList<>();
        for (int d = 0; d < 50; d++) {
            for (int i = 0; i < 3; i++) executor.execute(store("hospital-x", "AE_" + d), "op-" + d + "-" + i, blocking(done, "op-" + d + "-" + i));
        }
        int bound = (PerSenderExecutor.DESTINATIONS_PER_SENDER + 1) * 2;
        await().atMost(WAIT).until(() -> running.get() == bound);
        assertThat(threads).as("threads running hospital-x's stores").hasSize(bound);
        assertThat(executor.laneFor(store("hospital-x", "AE_0"))).as("a destination with a lane of its own").isEqualTo(store("hospital-x", "AE_0"));
        assertThat(executor.laneFor(store("hospital-x", "AE_49")).destination()).as("one beyond the bound: the shared lane").isNull();
        assertThat(executor.laneFor(store("hospital-y", "AE_49"))).as("another sender has its own bound").isEqualTo(store("hospital-y", "AE_49"));

        release.countDown();
        await().atMost(WAIT).until(() -> done.size() == 150);
        assertThat(maxRunning.get()).isEqualTo(bound);
        assertThat(threads).hasSizeLessThanOrEqualTo(bound);
        assertThat(done).doesNotHaveDuplicates();
    }
}
