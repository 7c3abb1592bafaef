package org.dicomrelay.bridge;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which poller each router polls its inbox through, and the last few it replaced. A poller takes
 * over once, when it is new: one it already replaced never takes over again, so two instances
 * still running under one account (a restart that overlaps, a misconfiguration) compete for
 * notifications as before instead of ending each other's polls in a loop. In memory only.
 */
final class InboxPollers {
    private static final int REMEMBERED = 16;

    private static final class History {
        String current;
        final Deque<String> replaced = new ArrayDeque<>();

        History(String current) {
            this.current = current;
        }
    }

    private final ConcurrentHashMap<String, History> byRouter = new ConcurrentHashMap<>();

    /** Records a poll; true if it comes from a new poller that replaces the router's current one. */
    boolean takesOver(String routerId, String pollerId) {
        boolean[] took = new boolean[1];
        byRouter.compute(routerId, (k, h) -> {
            if (h == null) return new History(pollerId);
            if (h.current.equals(pollerId) || h.replaced.contains(pollerId)) return h;
            h.replaced.addFirst(h.current);
            if (h.replaced.size() > REMEMBERED) h.replaced.removeLast();
            h.current = pollerId;
            took[0] = true;
            return h;
        });
        return took[0];
    }

    void forget(String routerId) {
        byRouter.remove(routerId);
    }
}
