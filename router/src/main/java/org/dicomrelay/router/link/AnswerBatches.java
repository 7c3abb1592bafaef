package org.dicomrelay.router.link;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The STORE answers this router owes other routers, collected per recipient and sent as one
 * frame once the first has waited the linger, once {@code max} wait, or before they would
 * outgrow a notification: a requesting router with dozens of objects in flight then gets one
 * notification (one seal, one publish, one poll) for dozens of answers. Only STORE answers come
 * here; C-ECHO, C-FIND and retrieve answers are interactive and never linger.
 *
 * <p>Owns one timer thread (the linger), closed by {@link #close()} after sending what waits.
 */
final class AnswerBatches implements AutoCloseable {
    /** Sends answers to one router as one frame; reports its own failures (the answers' senders resend after their deadline). */
    @FunctionalInterface
    interface Sender {
        void send(String toRouterId, List<LinkMessage.StoreRsp> answers);
    }

    /** Well below the Bridge's 64 KiB per notification, with room for the envelope. */
    static final int BUDGET_BYTES = 32 * 1024;
    /** An answer's JSON without its error comment (operation id, status, field names), rounded up. */
    private static final int ANSWER_BYTES = 160;

    private static final class Batch {
        final List<LinkMessage.StoreRsp> answers = new ArrayList<>();
        int bytes;
    }

    private final Duration linger;
    private final int max;
    private final Sender sender;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "answer-linger");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, Batch> waiting = new HashMap<>(); // guarded by this
    private boolean closed;

    AnswerBatches(Duration linger, int max, Sender sender) {
        if (max < 1 || max > LinkMessage.StoreRspBatch.MAX_ANSWERS) throw new IllegalArgumentException("max must be 1 to " + LinkMessage.StoreRspBatch.MAX_ANSWERS);
        this.linger = linger;
        this.max = max;
        this.sender = sender;
    }

    /** Queues an answer for {@code toRouterId}; sends the batch now if it is full (on the caller's thread). */
    void add(String toRouterId, LinkMessage.StoreRsp answer) {
        List<List<LinkMessage.StoreRsp>> due = new ArrayList<>(2);
        int size = ANSWER_BYTES + (answer.error() == null ? 0 : answer.error().length() * 6); // worst case: every char escaped
        synchronized (this) {
            if (closed) {
                due.add(List.of(answer));
            } else {
                Batch b = waiting.get(toRouterId);
                if (b != null && b.bytes + size > BUDGET_BYTES) {
                    due.add(waiting.remove(toRouterId).answers);
                    b = null;
                }
                if (b == null) {
                    b = new Batch();
                    waiting.put(toRouterId, b);
                    if (!linger.isZero()) schedule(toRouterId, b);
                }
                b.answers.add(answer);
                b.bytes += size;
                if (b.answers.size() >= max || linger.isZero()) due.add(waiting.remove(toRouterId).answers);
            }
        }
        for (List<LinkMessage.StoreRsp> answers : due) sender.send(toRouterId, answers);
    }

    private void schedule(String toRouterId, Batch b) {
        try {
            timer.schedule(() -> lingered(toRouterId, b), linger.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException closing) {
            // close() sends what waits
        }
    }

    private void lingered(String toRouterId, Batch b) {
        synchronized (this) {
            if (waiting.get(toRouterId) != b) return; // sent already (full)
            waiting.remove(toRouterId);
        }
        sender.send(toRouterId, b.answers);
    }

    /** Sends what waits, then stops the timer. */
    @Override public void close() {
        Map<String, Batch> rest;
        synchronized (this) {
            closed = true;
            rest = new HashMap<>(waiting);
            waiting.clear();
        }
        timer.shutdownNow();
        rest.forEach((to, b) -> sender.send(to, b.answers));
    }
}
