package org.dicomrelay.router.link;

import org.dicomrelay.dicom.net.FailureText;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.ToIntFunction;

/**
 * Runs received frames with at most {@code perLane} operations of one {@link Lane} at once (so
 * one sending router cannot take every thread, nor open a connection to a local device per
 * frame), the frames of one operation one after another in arrival order, and the rest waiting
 * in their lane's queue of at most {@code queueLimit(lane)} frames. Lanes never wait for each other:
 * threads stay below lanes in use × {@code perLane}. A sender has at most
 * {@link #DESTINATIONS_PER_SENDER} lanes of its own per destination in use at once (its C-STOREs to
 * further destinations share one more), so its threads stay below
 * ({@code Lane.Kind} count + {@link #DESTINATIONS_PER_SENDER}) × {@code perLane} whatever AE titles it names.
 */
final class PerSenderExecutor implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(PerSenderExecutor.class.getName());

    private final int perLane;
    private final ToIntFunction<Lane> queueLimit;
    private final ExecutorService pool;
    /** Lanes with frames running or waiting; guarded by itself, as is every {@link LaneState}. */
    private final Map<Lane, LaneState> lanes = new HashMap<>();
    /** Per sender, its lanes in use that have a destination of their own; guarded by {@link #lanes}. */
    private final Map<String, Integer> destinationLanes = new HashMap<>();

    /** Destinations of one sender with a lane of their own at once: more than a router's devices that store at once. */
    static final int DESTINATIONS_PER_SENDER = 8;

    /** One lane's operations: those running and those waiting for a slot, each with its frames not yet started. */
    private static final class LaneState {
        final Map<String, ArrayDeque<Runnable>> operations = new HashMap<>();
        final ArrayDeque<String> waiting = new ArrayDeque<>();
        int running;
        int queued;
    }

    PerSenderExecutor(int perLane, ToIntFunction<Lane> queueLimit, String threadName) {
        if (perLane < 1) throw new IllegalArgumentException("perLane must be at least 1");
        this.perLane = perLane;
        this.queueLimit = queueLimit;
        // Cached, but never more threads than slots granted below.
        this.pool = Executors.newCachedThreadPool(LinkThreads.named(threadName));
    }

    /**
     * Runs {@code task} after the earlier frames of {@code operationId} in {@code lane}, or queues
     * it; false, and nothing is kept, when the lane's queue is full.
     */
    boolean execute(Lane requested, String operationId, Runnable task) {
        synchronized (lanes) {
            Lane lane = admitted(requested);
            LaneState s = lanes.get(lane);
            if (s == null) {
                s = new LaneState();
                lanes.put(lane, s);
                if (lane.destination() != null) destinationLanes.merge(lane.senderId(), 1, Integer::sum);
            }
            ArrayDeque<Runnable> frames = s.operations.get(operationId);
            if (frames == null && s.running < perLane) {
                s.operations.put(operationId, new ArrayDeque<>());
                s.running++;
                LaneState started = s;
                pool.execute(() -> drain(lane, started, operationId, task));
                return true;
            }
            if (s.queued >= queueLimit.applyAsInt(lane)) {
                if (s.running == 0 && s.operations.isEmpty()) remove(lane);
                return false;
            }
            if (frames == null) {
                frames = new ArrayDeque<>();
                s.operations.put(operationId, frames);
                s.waiting.add(operationId);
            }
            frames.add(task);
            s.queued++;
            return true;
        }
    }

    /** Runs an operation's frames, then the lane's next waiting operation on the same thread (its slot passes on). */
    private void drain(Lane lane, LaneState s, String firstOperation, Runnable first) {
        String operationId = firstOperation;
        Runnable task = first;
        while (true) {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "frame of operation " + operationId + " from router " + lane.senderId()
                        + " failed: " + FailureText.of(e), e);
            }
            synchronized (lanes) {
                task = s.operations.get(operationId).poll();
                if (task == null) {
                    s.operations.remove(operationId);
                    operationId = s.waiting.poll();
                    if (operationId == null) {
                        s.running--;
                        if (s.running == 0) remove(lane);
                        return;
                    }
                    task = s.operations.get(operationId).poll();
                }
                s.queued--;
            }
        }
    }

    /**
     * The lane a frame for {@code lane} goes to now (see {@link #admitted}): for logs keyed by lane, so that a
     * peer naming ever new AE titles does not multiply their keys.
     */
    Lane laneFor(Lane lane) {
        synchronized (lanes) {
            return admitted(lane);
        }
    }

    /** The lane itself, or, for a destination beyond the sender's {@link #DESTINATIONS_PER_SENDER} in use, its shared one. */
    private Lane admitted(Lane lane) {
        if (lane.destination() == null || lanes.containsKey(lane)) return lane;
        return destinationLanes.getOrDefault(lane.senderId(), 0) < DESTINATIONS_PER_SENDER ? lane : lane.sharedStores();
    }

    private void remove(Lane lane) {
        lanes.remove(lane);
        if (lane.destination() != null) destinationLanes.computeIfPresent(lane.senderId(), (k, n) -> n == 1 ? null : n - 1);
    }

    @Override public void close() {
        pool.shutdownNow();
    }
}
