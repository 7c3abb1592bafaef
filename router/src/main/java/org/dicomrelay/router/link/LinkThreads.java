package org.dicomrelay.router.link;

import java.util.concurrent.ThreadFactory;

/** Threads of the link's pools and owners: named for thread dumps, daemons so that one left open never keeps the JVM alive. */
final class LinkThreads {
    private LinkThreads() {}

    static ThreadFactory named(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }
}
