package org.dicomrelay.router.link;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;

/**
 * Runs tasks on a shared pool, but those with the same key one after another, in submission
 * order: the pending C-FIND responses of one operation must reach the workstation in order,
 * while different operations proceed in parallel.
 */
final class KeyedExecutor {
    private final ExecutorService pool;
    private final Map<String, ArrayDeque<Runnable>> queues = new HashMap<>();

    KeyedExecutor(ExecutorService pool) {
        this.pool = pool;
    }

    void execute(String key, Runnable task) {
        synchronized (queues) {
            ArrayDeque<Runnable> q = queues.get(key);
            if (q != null) {
                q.add(task);
                return;
            }
            queues.put(key, new ArrayDeque<>());
        }
        pool.execute(() -> drain(key, task));
    }

    private void drain(String key, Runnable first) {
        Runnable task = first;
        while (task != null) {
            try {
                task.run();
            } catch (RuntimeException e) {
                System.getLogger(KeyedExecutor.class.getName()).log(System.Logger.Level.ERROR, "task for " + key + " failed", e);
            }
            synchronized (queues) {
                ArrayDeque<Runnable> q = queues.get(key);
                task = q.poll();
                if (task == null) queues.remove(key);
            }
        }
    }
}
