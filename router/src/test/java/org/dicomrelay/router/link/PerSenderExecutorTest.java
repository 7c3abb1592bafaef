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
        return new Lane(sender, Lane.Kind.REQUESTS);
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
}
