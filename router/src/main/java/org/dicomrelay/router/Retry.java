package org.dicomrelay.router;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** Delayed retries of failed deliveries, on one daemon timer. */
final class Retry {
    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "retry-timer");
        t.setDaemon(true);
        return t;
    });

    private Retry() {}

    static void later(long millis, Runnable task) {
        TIMER.schedule(task, millis, TimeUnit.MILLISECONDS);
    }
}
