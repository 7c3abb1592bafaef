package org.dicomrelay.router;

import org.dicomrelay.router.link.Frame;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Operations this router started at another router, waiting for the frames that answer them.
 * Frames with a payload (instances of a C-MOVE/C-GET) are handled by the operation's own
 * listener, on the courier's thread, while the payload stream is open.
 */
final class Pending {
    /** Receives an answering frame together with its payload. */
    @FunctionalInterface
    interface PayloadHandler {
        void onPayload(Frame frame, InputStream payload) throws IOException;
    }

    static final class Operation implements AutoCloseable {
        final String id;
        final String routerId;
        private final LinkedBlockingQueue<Frame> frames = new LinkedBlockingQueue<>();
        private final Pending owner;
        volatile PayloadHandler payloadHandler;
        /** When an answer or an instance last arrived (System.nanoTime): a long retrieve is alive while instances come. */
        volatile long lastActivity = System.nanoTime();

        Operation(Pending owner, String id, String routerId) {
            this.owner = owner;
            this.id = id;
            this.routerId = routerId;
        }

        /** The next answer, or null after {@code timeout}. */
        Frame next(Duration timeout) throws InterruptedException {
            return frames.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }

        @Override public void close() {
            owner.operations.remove(id);
        }
    }

    private final Map<String, Operation> operations = new ConcurrentHashMap<>();

    Operation open(String id, String routerId) {
        Operation op = new Operation(this, id, routerId);
        operations.put(id, op);
        return op;
    }

    /** Delivers an answer; false if no such operation is waiting (it ended or never existed). */
    boolean deliver(String fromRouterId, Frame frame, InputStream payload) throws IOException {
        Operation op = operations.get(frame.operationId());
        // Answers must come from the router the operation was sent to.
        if (op == null || !op.routerId.equals(fromRouterId)) return false;
        op.lastActivity = System.nanoTime();
        if (payload != null) {
            PayloadHandler h = op.payloadHandler;
            if (h == null) return false;
            h.onPayload(frame, payload);
            op.lastActivity = System.nanoTime();
            return true;
        }
        op.frames.add(frame);
        return true;
    }
}
