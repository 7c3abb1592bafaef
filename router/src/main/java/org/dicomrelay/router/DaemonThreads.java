package org.dicomrelay.router;

import java.util.concurrent.ThreadFactory;

/** Threads of the router's pools: named for thread dumps, daemons so that a pool left open never keeps the JVM alive. */
final class DaemonThreads {
    private DaemonThreads() {}

    static ThreadFactory named(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }
}
