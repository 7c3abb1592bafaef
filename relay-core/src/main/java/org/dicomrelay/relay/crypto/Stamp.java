package org.dicomrelay.relay.crypto;

/**
 * What a sealed message says, in its signed header, about its place in the sender's stream to
 * the recipient: its sequence number (strictly increasing per sender and recipient), its sending
 * time, and for a payload the message id of the frame that carries it. The recipient refuses
 * duplicates, old messages and payloads moved under another frame with these.
 *
 * @param sequence     at least 1
 * @param sentAtMillis the sender's clock, ms since the epoch
 * @param boundTo      the message id of the frame a payload belongs to; null for a frame
 */
public record Stamp(long sequence, long sentAtMillis, String boundTo) {
    public Stamp {
        if (sequence < 1) throw new IllegalArgumentException("sequence number must be at least 1: " + sequence);
        if (boundTo != null) Ids.check("bound-to id", boundTo);
    }

    /** A frame's stamp. */
    public static Stamp of(long sequence, long sentAtMillis) {
        return new Stamp(sequence, sentAtMillis, null);
    }

    /** The stamp of the payload of the frame {@code frameMessageId} that carries this stamp's sequence number. */
    public Stamp forPayloadOf(String frameMessageId) {
        return new Stamp(sequence, sentAtMillis, frameMessageId);
    }
}
