package org.dicomrelay.bridge;

import org.jdbi.v3.core.Handle;

/** The directory's version (table {@code directory_state}): raised in the transaction of every change routers must learn. */
final class DirectoryVersion {
    private DirectoryVersion() {}

    static long read(Handle h) {
        return h.createQuery("SELECT version FROM directory_state WHERE id = 1").mapTo(Long.class).one();
    }

    static void bump(Handle h) {
        h.execute("UPDATE directory_state SET version = version + 1 WHERE id = 1");
    }
}
