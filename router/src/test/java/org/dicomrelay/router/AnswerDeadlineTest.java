package org.dicomrelay.router;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The adaptive answer deadline (RFC 6298's retransmission timeout, applied to frames between
 * routers): a lost frame costs seconds once a router is known to answer fast, a slow router is
 * given more time after each timeout, big objects get time in proportion, and activity keeps a
 * long operation alive.
 */
class AnswerDeadlineTest {
    private final AtomicLong now = new AtomicLong();
    private final AnswerDeadline deadlines = new AnswerDeadline(Duration.ofSeconds(5), Duration.ofSeconds(60), now::get);

    private void answerAfter(String router, Duration latency, long bytes) {
        AnswerDeadline.Wait w = deadlines.begin(router, bytes);
        now.addAndGet(latency.toNanos());
        w.answered();
    }

    @Test void aRouterNotYetHeardFromGetsTheCeiling() {
        assertThat(deadlines.begin("hospital-b", 0).timeout()).isEqualTo(Duration.ofSeconds(60));
    }

    @Test void aFastRouterGetsTheFloorNotAFixedMinute() {
        for (int i = 0; i < 20; i++) answerAfter("hospital-b", Duration.ofMillis(200 + (i % 3) * 50), 500_000);
        assertThat(deadlines.begin("hospital-b", 500_000).timeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(deadlines.begin("hospital-c", 0).timeout()).as("another router is estimated on its own").isEqualTo(Duration.ofSeconds(60));
    }

    @Test void aSlowRouterGetsMoreThanItsTypicalLatency() {
        for (int i = 0; i < 20; i++) answerAfter("hospital-b", Duration.ofSeconds(i % 2 == 0 ? 8 : 12), 0);
        Duration t = deadlines.begin("hospital-b", 0).timeout();
        assertThat(t).isGreaterThan(Duration.ofSeconds(12)).isLessThanOrEqualTo(Duration.ofSeconds(60));
    }

    @Test void eachTimeoutDoublesTheNextDeadlineUpToTheCeilingAndAnAnswerEndsTheBackOff() {
        for (int i = 0; i < 20; i++) answerAfter("hospital-b", Duration.ofMillis(300), 0);
        AnswerDeadline.Wait w = deadlines.begin("hospital-b", 0);
        assertThat(w.timeout()).isEqualTo(Duration.ofSeconds(5));
        w.timedOut();
        w = deadlines.begin("hospital-b", 0);
        assertThat(w.timeout()).isEqualTo(Duration.ofSeconds(10));
        w.timedOut();
        assertThat(deadlines.begin("hospital-b", 0).timeout()).isEqualTo(Duration.ofSeconds(20));
        for (int i = 0; i < 5; i++) deadlines.begin("hospital-b", 0).timedOut();
        assertThat(deadlines.begin("hospital-b", 0).timeout()).isEqualTo(Duration.ofSeconds(60));
        answerAfter("hospital-b", Duration.ofMillis(300), 0);
        assertThat(deadlines.begin("hospital-b", 0).timeout()).isEqualTo(Duration.ofSeconds(5));
    }

    /** Pipelined (issue 10): 60 objects sent at once and answered 300 ms apart teach a 300 ms latency, not the queue's 18 s. */
    @Test void aPipelinedAnswerIsMeasuredFromTheDestinationsPreviousAnswerNotFromItsWaitInTheQueue() {
        java.util.List<AnswerDeadline.Wait> inFlight = new java.util.ArrayList<>();
        for (int i = 0; i < 60; i++) inFlight.add(deadlines.begin("hospital-b", 0));
        long previous = Long.MIN_VALUE;
        for (AnswerDeadline.Wait w : inFlight) {
            now.addAndGet(Duration.ofMillis(300).toNanos());
            if (previous != Long.MIN_VALUE) w.busyUntil(previous);
            w.answered();
            previous = now.get();
        }
        assertThat(deadlines.begin("hospital-b", 0).timeout()).isEqualTo(Duration.ofSeconds(5));
    }

    /** Pipelined: an object sent before any answer (the ceiling) gets, once it is the oldest awaited, what the answers taught since. */
    @Test void aRestartedWaitTakesTheDeadlineLearntSinceItWasSent() {
        AnswerDeadline.Wait early = deadlines.begin("hospital-b", 0);
        assertThat(early.timeout()).isEqualTo(Duration.ofSeconds(60));
        for (int i = 0; i < 20; i++) answerAfter("hospital-b", Duration.ofMillis(300), 0);
        early.restart();
        assertThat(early.timeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(early.remaining()).isEqualTo(Duration.ofSeconds(5));
    }

    /** Pipelined, after the oldest was lost: the next runs from the destination's last answer when that came after its send. */
    @Test void aRestartFromTheLastAnswerRunsFromThenIfLaterThanTheSend() {
        for (int i = 0; i < 20; i++) answerAfter("hospital-b", Duration.ofMillis(300), 0);
        AnswerDeadline.Wait w = deadlines.begin("hospital-b", 0);
        now.addAndGet(Duration.ofSeconds(1).toNanos());
        long lastAnswer = now.get();
        now.addAndGet(Duration.ofSeconds(3).toNanos());
        w.restartFrom(lastAnswer);
        assertThat(w.remaining()).isEqualTo(Duration.ofSeconds(2));
        w.restartFrom(lastAnswer - Duration.ofSeconds(10).toNanos()); // an answer before its send: from the send
        assertThat(w.remaining()).isEqualTo(Duration.ofSeconds(1));
        w.restartFrom(Long.MIN_VALUE); // no answer yet
        assertThat(w.remaining()).isEqualTo(Duration.ofSeconds(1));
    }

    @Test void bigObjectsGetTimeInProportionToTheirSize() {
        for (int i = 0; i < 20; i++) answerAfter("hospital-b", Duration.ofMillis(300), 100_000);
        assertThat(deadlines.begin("hospital-b", 10 * AnswerDeadline.REFERENCE_BYTES).timeout()).isEqualTo(Duration.ofSeconds(50));
        // The latency of a big object counts per unit: it does not make small ones wait longer.
        answerAfter("hospital-b", Duration.ofSeconds(3), 10 * AnswerDeadline.REFERENCE_BYTES);
        assertThat(deadlines.begin("hospital-b", 0).timeout()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test void activityExtendsTheDeadlineOfALongOperation() {
        for (int i = 0; i < 20; i++) answerAfter("hospital-b", Duration.ofMillis(300), 0);
        AnswerDeadline.Wait w = deadlines.begin("hospital-b", 0);
        now.addAndGet(Duration.ofSeconds(4).toNanos());
        assertThat(w.expired()).isFalse();
        w.activity(); // an instance of a retrieve arrived
        now.addAndGet(Duration.ofSeconds(4).toNanos());
        assertThat(w.expired()).as("8 s after the request, 4 s after the last instance").isFalse();
        assertThat(w.remaining()).isEqualTo(Duration.ofSeconds(1));
        now.addAndGet(Duration.ofSeconds(1).toNanos());
        assertThat(w.expired()).isTrue();
        assertThat(w.remaining()).isZero();
    }
}
