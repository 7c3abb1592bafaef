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
 * frame: a requesting router with dozens of objects in flight then gets one notification (one
 * seal, one publish, one poll) for dozens of answers. Only STORE answers come here; C-ECHO,
 * C-FIND and retrieve answers are interactive and never linger.
 *
 * <p>Without a linger (the default) this is group commit: an answer goes at once unless a send
 * to the same router is in progress; the answers that come meanwhile go together as soon as it
 * ends, sent by the thread that sent it. So an answer never waits when the link is idle, and
 * batches grow with the load and the link's latency. With a linger, answers wait up to it for
 * others. Either way a batch holds at most {@code max} answers and fits a notification.
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
    /** An answer's JSON without its error comment (operation id, status, router B's two times, field names), rounded up. */
    private static final int ANSWER_BYTES = 224;

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
    /** Group commit: answers that are full batches, waiting for the send in progress to their router (guarded by this). */
    private final Map<String, java.util.ArrayDeque<List<LinkMessage.StoreRsp>>> full = new HashMap<>();
    /** Group commit: routers a send is in progress to (guarded by this). */
    private final java.util.Set<String> sending = new java.util.HashSet<>();
    private boolean closed;

    AnswerBatches(Duration linger, int max, Sender sender) {
        if (max < 1 || max > LinkMessage.StoreRspBatch.MAX_ANSWERS) throw new IllegalArgumentException("max must be 1 to " + LinkMessage.StoreRspBatch.MAX_ANSWERS);
        this.linger = linger;
        this.max = max;
        this.sender = sender;
    }

    /**
     * Queues an answer for {@code toRouterId}; sends it now (on the caller's thread) if nothing is
     * being sent to that router (no linger) or if its batch is full.
     */
    void add(String toRouterId, LinkMessage.StoreRsp answer) {
        if (linger.isZero()) {
            commit(toRouterId, answer);
            return;
        }
        List<List<LinkMessage.StoreRsp>> due = new ArrayList<>(2);
        int size = size(answer);
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
                    schedule(toRouterId, b);
                }
                b.answers.add(answer);
                b.bytes += size;
                if (b.answers.size() >= max) due.add(waiting.remove(toRouterId).answers);
            }
        }
        for (List<LinkMessage.StoreRsp> answers : due) sender.send(toRouterId, answers);
    }

    private static int size(LinkMessage.StoreRsp answer) {
        return ANSWER_BYTES + (answer.error() == null ? 0 : answer.error().length() * 6); // worst case: every char escaped
    }

    /** Group commit: joins the batch for the send in progress, or becomes the sender until nothing waits. */
    private void commit(String toRouterId, LinkMessage.StoreRsp answer) {
        synchronized (this) {
            Batch b = waiting.get(toRouterId);
            int size = size(answer);
            if (b != null && (b.bytes + size > BUDGET_BYTES || b.answers.size() >= max)) {
                full.computeIfAbsent(toRouterId, k -> new java.util.ArrayDeque<>()).add(waiting.remove(toRouterId).answers);
                b = null;
            }
            if (b == null) {
                b = new Batch();
                waiting.put(toRouterId, b);
            }
            b.answers.add(answer);
            b.bytes += size;
            if (!sending.add(toRouterId)) return; // the sender in progress takes it
        }
        while (true) {
            List<LinkMessage.StoreRsp> next;
            synchronized (this) {
                java.util.ArrayDeque<List<LinkMessage.StoreRsp>> q = full.get(toRouterId);
                if (q != null && !q.isEmpty()) {
                    next = q.poll();
                    if (q.isEmpty()) full.remove(toRouterId);
                } else {
                    Batch b = waiting.remove(toRouterId);
                    if (b == null) {
                        sending.remove(toRouterId);
                        return;
                    }
                    next = b.answers;
                }
            }
            sender.send(toRouterId, next);
        }
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
        List<Map.Entry<String, List<LinkMessage.StoreRsp>>> rest = new ArrayList<>();
        synchronized (this) {
            closed = true;
            full.forEach((to, q) -> q.forEach(answers -> rest.add(Map.entry(to, answers))));
            full.clear();
            waiting.forEach((to, b) -> rest.add(Map.entry(to, b.answers)));
            waiting.clear();
        }
        timer.shutdownNow();
        rest.forEach(e -> sender.send(e.getKey(), e.getValue()));
    }
}
