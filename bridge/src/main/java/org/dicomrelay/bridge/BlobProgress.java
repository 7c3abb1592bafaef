package org.dicomrelay.bridge;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * How far an upload in progress has got, in memory, so that the Bridge's threads wait on it rather
 * than poll the table: a part written ahead of its predecessor waits for it to be committed, and a
 * recipient reading the blob waits for the next part. The table stays the record; this mirrors it
 * for the blobs being uploaded now (and is rebuilt from the table after a restart).
 */
final class BlobProgress {
    /** Why waiting ended without the awaited progress. */
    static final class StalledException extends IOException {
        private static final long serialVersionUID = 1L;

        StalledException(String message) {
            super(message);
        }
    }

    private final String name;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private int parts;
    private long size;
    private boolean complete;
    /** Counts commits: any progress restarts an idle wait. */
    private long version;
    /** Why the blob is gone (deleted, aborted, expired, revoked), or null. */
    private String gone;

    BlobProgress(String name, int parts, long size, boolean complete) {
        this.name = name;
        this.parts = parts;
        this.size = size;
        this.complete = complete;
    }

    /** Part {@code parts} committed: the blob has {@code newSize} bytes, all of them if {@code last}. */
    void committed(int newParts, long newSize, boolean last) {
        lock.lock();
        try {
            parts = newParts;
            size = newSize;
            complete = last;
            version++;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Another Bridge instance committed parts of this blob up to {@code newParts}: taken if it is further than known here. */
    void committedElsewhere(int newParts, long newSize, boolean last) {
        lock.lock();
        try {
            if (newParts <= parts && !(last && !complete)) return;
        } finally {
            lock.unlock();
        }
        committed(newParts, newSize, last);
    }

    void gone(String why) {
        lock.lock();
        try {
            gone = why;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until part {@code index} is the next one to commit, and returns the blob's size then
     * (where that part starts).
     *
     * @throws StalledException if the blob went, or its predecessors made no progress for {@code idle}
     */
    long awaitTurn(int index, Duration idle) throws IOException {
        return await(() -> parts >= index || complete, idle, "part " + index + " waited for its predecessors", () -> {
            if (parts != index || complete) throw new StalledException("blob " + name + " has " + parts + " part(s)" + (complete ? " and is complete" : "") + ", not " + index);
            return size;
        });
    }

    /**
     * Waits until the blob has more than {@code position} bytes and returns how many it has, or -1
     * if it is complete with exactly {@code position}.
     *
     * @throws StalledException if the blob went, or no part arrived for {@code idle}
     */
    long awaitBeyond(long position, Duration idle) throws IOException {
        return await(() -> size > position || complete, idle, "no part of it arrived", () -> size > position ? size : -1);
    }

    private interface Check {
        boolean met();
    }

    private interface Result {
        long get() throws IOException;
    }

    private long await(Check check, Duration idle, String stalled, Result result) throws IOException {
        lock.lock();
        try {
            long nanos = idle.toNanos();
            long seen = version;
            while (gone == null && !check.met()) {
                if (version != seen) {
                    seen = version;
                    nanos = idle.toNanos();
                }
                if (nanos <= 0) throw new StalledException("blob " + name + " stalled: " + stalled + " for " + idle.toMillis() + " ms (blobIdleTimeout)");
                nanos = changed.awaitNanos(nanos);
            }
            if (gone != null) throw new StalledException("blob " + name + " is gone: " + gone);
            return result.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for blob " + name);
        } finally {
            lock.unlock();
        }
    }
}
