package org.dicomrelay.providers.nats;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The latest delivery handed out of each message of our inbox, by stream sequence. JetStream
 * applies an ack to the message whichever delivery it came with (nats-server 2.9), so the ack of a
 * delivery whose AckWait passed would delete the message delivered again since: such an ack is
 * refused here (the Cloud IO receipt-handle rule). Entries leave at their ack; at most the
 * consumer's MaxAckPending are unacknowledged at once.
 */
final class DeliveryLedger {
    private final Map<Long, Long> latest = new ConcurrentHashMap<>();

    /** Records a delivery; returns its receipt handle. */
    DeliveryId delivered(long streamSequence, long consumerSequence, String ackSubject) {
        latest.merge(streamSequence, consumerSequence, Math::max);
        return new DeliveryId(streamSequence, consumerSequence, ackSubject);
    }

    /** False when the message was delivered again after {@code d}: acknowledging {@code d} would remove that newer delivery. */
    boolean isCurrent(DeliveryId d) {
        Long newest = latest.get(d.streamSequence());
        return newest == null || newest == d.consumerSequence();
    }

    void acknowledged(DeliveryId d) {
        latest.remove(d.streamSequence(), d.consumerSequence());
    }
}
