package org.dicomrelay.providers.nats;

import java.io.IOException;

/**
 * A receipt handle for one JetStream delivery: the message's stream sequence, the delivery's
 * consumer sequence and the subject its ack goes to, as the notification's ID
 * ({@code sseq:cseq:ackSubject}).
 */
record DeliveryId(long streamSequence, long consumerSequence, String ackSubject) {

    String text() {
        return streamSequence + ":" + consumerSequence + ":" + ackSubject;
    }

    static DeliveryId parse(String id) throws IOException {
        String[] p = id == null ? new String[0] : id.split(":", 3);
        try {
            if (p.length == 3 && p[2].startsWith("$JS.ACK.")) return new DeliveryId(Long.parseLong(p[0]), Long.parseLong(p[1]), p[2]);
        } catch (NumberFormatException e) {
            // said below
        }
        throw new IOException("not a NATS JetStream delivery of this inbox: '" + id + "'");
    }
}
