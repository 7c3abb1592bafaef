package org.dicomrelay.router.link;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Group commit of STORE answers (no linger): an answer to an idle link goes at once, alone; the
 * answers that come while that send is in progress go together right after it, split at the
 * batch maximum; nothing is sent twice or lost.
 */
@Timeout(30)
class AnswerBatchesTest {
    private final List<List<String>> sent = new CopyOnWriteArrayList<>();
    private final CountDownLatch firstSendStarted = new CountDownLatch(1), releaseFirstSend = new CountDownLatch(1);

    private void send(String to, List<LinkMessage.StoreRsp> answers) {
        sent.add(answers.stream().map(LinkMessage::operationId).toList());
        if (sent.size() == 1) {
            firstSendStarted.countDown();
            try {
                releaseFirstSend.await(20, TimeUnit.SECONDS); // a slow publish: the link is busy meanwhile
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static LinkMessage.StoreRsp ok(String op) {
        return new LinkMessage.StoreRsp(op, 0x0000, null, null);
    }

    @Test void answersReadyWhileASendIsInProgressGoTogetherRightAfterIt() throws Exception {
        AnswerBatches batches = new AnswerBatches(Duration.ZERO, 4, this::send);
        CompletableFuture<Void> first = CompletableFuture.runAsync(() -> batches.add("hospital-a", ok("a0")));
        assertThat(firstSendStarted.await(10, TimeUnit.SECONDS)).as("an idle link: the first answer goes at once").isTrue();
        for (int i = 1; i <= 6; i++) batches.add("hospital-a", ok("a" + i)); // returns at once: the sender in progress takes them
        assertThat(sent).hasSize(1);
        releaseFirstSend.countDown();
        first.get(10, TimeUnit.SECONDS);
        assertThat(sent).containsExactly(List.of("a0"), List.of("a1", "a2", "a3", "a4"), List.of("a5", "a6"));

        batches.add("hospital-a", ok("a7")); // idle again: alone, at once, on this thread
        assertThat(sent).last().isEqualTo(List.of("a7"));
        batches.close();
    }

    /** A bundle's entries are answered in one frame: held while the bundle is stored, sent when it ends. */
    @Test void theAnswersToABundleGoTogetherWhenItsLastEntryIsAnswered() {
        List<List<String>> frames = new CopyOnWriteArrayList<>();
        AnswerBatches batches = new AnswerBatches(Duration.ZERO, 4, (to, answers) -> frames.add(answers.stream().map(LinkMessage::operationId).toList()));
        batches.hold("hospital-a");
        for (int i = 0; i < 6; i++) batches.add("hospital-a", ok("b" + i));
        batches.add("hospital-c", ok("c0")); // another router's bundle is not held
        assertThat(frames).as("a full batch goes at once; the rest waits for the bundle's end")
                .containsExactly(List.of("b0", "b1", "b2", "b3"), List.of("c0"));
        batches.release("hospital-a");
        assertThat(frames).containsExactly(List.of("b0", "b1", "b2", "b3"), List.of("c0"), List.of("b4", "b5"));
        batches.add("hospital-a", ok("b6")); // no bundle: at once
        assertThat(frames).last().isEqualTo(List.of("b6"));
        batches.close();
    }

    /** A bundle stored slowly (a slow PACS) does not hold its first answers for long: the requesting router's deadline runs. */
    @Test void aHeldAnswerGoesWithinTheHoldsBoundWithoutTheBundlesEnd() {
        List<List<String>> frames = new CopyOnWriteArrayList<>();
        AnswerBatches batches = new AnswerBatches(Duration.ZERO, 4, (to, answers) -> frames.add(answers.stream().map(LinkMessage::operationId).toList()));
        batches.hold("hospital-a");
        long start = System.nanoTime();
        batches.add("hospital-a", ok("slow-0"));
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> !frames.isEmpty());
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(AnswerBatches.HOLD_MAX.minusMillis(1));
        assertThat(frames).containsExactly(List.of("slow-0"));
        batches.release("hospital-a");
        assertThat(frames).as("nothing sent twice").hasSize(1);
        batches.close();
    }
}
