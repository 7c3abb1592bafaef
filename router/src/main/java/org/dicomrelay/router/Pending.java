package org.dicomrelay.router;

import org.dicomrelay.router.link.LinkMessage;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Operations this router started at another router, waiting for the messages that answer them.
 * Instances of a C-MOVE/C-GET (with their payload) are handled by the operation's own
 * listener, on the courier's thread, while the payload stream is open.
 */
final class Pending {
    /** Receives a retrieved instance together with its payload. */
    @FunctionalInterface
    interface PayloadHandler {
        void onPayload(LinkMessage.Instance instance, InputStream payload) throws IOException;
    }

    static final class Operation implements AutoCloseable {
        final String id;
        final String routerId;
        private final LinkedBlockingQueue<LinkMessage.Answer> answers = new LinkedBlockingQueue<>();
        /** Takes the answer instead of the queue (no thread waits for it); null: answers are queued for {@link #next}. */
        private final java.util.function.Consumer<LinkMessage.Answer> onAnswer;
        private final Pending owner;
        volatile PayloadHandler payloadHandler;
        /** When an answer or an instance last arrived (System.nanoTime): a long retrieve is alive while instances come. */
        volatile long lastActivity = System.nanoTime();

        Operation(Pending owner, String id, String routerId, java.util.function.Consumer<LinkMessage.Answer> onAnswer) {
            this.owner = owner;
            this.onAnswer = onAnswer;
            this.id = id;
            this.routerId = routerId;
        }

        /** The next answer, or null after {@code timeout}. */
        LinkMessage.Answer next(Duration timeout) throws InterruptedException {
            return answers.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }

        @Override public void close() {
            owner.operations.remove(id);
        }
    }

    private final Map<String, Operation> operations = new ConcurrentHashMap<>();

    Operation open(String id, String routerId) {
        Operation op = new Operation(this, id, routerId, null);
        operations.put(id, op);
        return op;
    }

    /**
     * An operation with one answer (C-STORE), handed to {@code onAnswer} on the courier's thread
     * as it arrives, and the operation closed: the sender's thread does not wait for it. A second
     * answer, or one after {@link Operation#close()} (the deadline passed), finds no operation.
     */
    Operation expect(String id, String routerId, java.util.function.Consumer<LinkMessage.Answer> onAnswer) {
        Operation op = new Operation(this, id, routerId, java.util.Objects.requireNonNull(onAnswer));
        operations.put(id, op);
        return op;
    }

    /**
     * Delivers an answer or an instance (with its payload); false if no such operation is waiting
     * (it ended or never existed), or if it is a request or an instance this operation cannot take.
     */
    boolean deliver(String fromRouterId, LinkMessage message, InputStream payload) throws IOException {
        Operation op = operations.get(message.operationId());
        // Answers must come from the router the operation was sent to.
        if (op == null || !op.routerId.equals(fromRouterId)) return false;
        if (message instanceof LinkMessage.Instance instance) {
            PayloadHandler h = op.payloadHandler;
            if (h == null || payload == null) return false;
            op.lastActivity = System.nanoTime();
            h.onPayload(instance, payload);
            op.lastActivity = System.nanoTime();
            return true;
        }
        if (!(message instanceof LinkMessage.Answer answer)) return false;
        op.lastActivity = System.nanoTime();
        if (op.onAnswer != null) {
            if (!operations.remove(op.id, op)) return false; // the deadline took it meanwhile
            op.onAnswer.accept(answer);
            return true;
        }
        op.answers.add(answer);
        return true;
    }
}
