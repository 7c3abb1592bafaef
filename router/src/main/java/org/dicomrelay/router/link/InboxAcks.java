package org.dicomrelay.router.link;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import org.dicomrelay.dicom.net.FailureText;
import org.dicomrelay.relay.cloud.Notifications;
import org.dicomrelay.relay.log.RepeatingLog;

/**
 * Acknowledges inbox deliveries in batches, on one thread of its own, so that the poller never
 * waits a round trip per message (over a WAN that bounded the link to one message per round trip)
 * and the inbox sees one request for all that came in while the previous one was on its way.
 * Bounded: past {@code capacity} waiting deliveries, more are not acknowledged. A lost
 * acknowledgement only brings the message back, and the replay guard refuses it then.
 *
 * <p>Owns its thread; {@link #close()} sends what waits (within a few seconds) and stops it.
 */
final class InboxAcks implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(InboxAcks.class.getName());
    /** Deliveries per {@link Notifications#ack(List)} call: the Bridge takes 200 per request, SQS 10 (its provider splits). */
    static final int MAX_BATCH = 200;
    private static final Duration DRAIN = Duration.ofSeconds(5);
    /** Wakes the thread to end after what was queued before it. */
    private static final Notifications.Notification END = new Notifications.Notification("", new byte[0]);

    private final Notifications inbox;
    private final BlockingQueue<Notifications.Notification> queue;
    private final RepeatingLog log = new RepeatingLog(LOG, Duration.ofMinutes(1));
    private final Thread thread;
    private volatile boolean closed;

    InboxAcks(Notifications inbox, int capacity, String name) {
        this.inbox = inbox;
        this.queue = new ArrayBlockingQueue<>(capacity + 1); // + END
        this.thread = LinkThreads.named(name).newThread(this::run);
        thread.start();
    }

    /** Queues deliveries to acknowledge, in one batch when they fit; those past the bound are left to come back. */
    void addAll(List<Notifications.Notification> delivered) {
        if (delivered.isEmpty()) return;
        if (closed) {
            ackNow(delivered);
            return;
        }
        int dropped = 0;
        for (Notifications.Notification n : delivered) {
            if (!queue.offer(n)) dropped++;
        }
        if (dropped > 0) {
            log.occurred("full", System.Logger.Level.WARNING, dropped + " inbox acknowledgement(s) dropped, " + queue.size()
                    + " waiting to be sent (the inbox is slow or away): those messages come back and are refused as replays");
        }
    }

    private void run() {
        List<Notifications.Notification> batch = new ArrayList<>(MAX_BATCH);
        boolean ending = false;
        while (!ending) {
            try {
                batch.add(queue.take());
            } catch (InterruptedException e) {
                return; // close() gave up waiting: the rest only comes back
            }
            queue.drainTo(batch, MAX_BATCH - 1);
            ending = batch.remove(END);
            if (ending) queue.drainTo(batch); // what came before close()
            for (int from = 0; from < batch.size(); from += MAX_BATCH) {
                ackNow(batch.subList(from, Math.min(batch.size(), from + MAX_BATCH)));
            }
            batch.clear();
        }
    }

    private void ackNow(List<Notifications.Notification> delivered) {
        try {
            inbox.ack(List.copyOf(delivered));
            log.cleared("ack", "inbox acknowledgements go through again");
        } catch (IOException | RuntimeException e) {
            log.occurred("ack", System.Logger.Level.WARNING, "could not acknowledge " + delivered.size()
                    + " inbox message(s) (they come back and are refused as replays): " + FailureText.of(e));
        }
    }

    /** Sends what waits, within a few seconds, and stops the thread. */
    @Override
    public void close() {
        closed = true;
        if (!queue.offer(END)) {
            queue.poll(); // full: one fewer acknowledgement (it only comes back) for the end mark
            queue.offer(END);
        }
        try {
            thread.join(DRAIN.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) thread.interrupt();
    }
}
