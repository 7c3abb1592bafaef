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
 * recipient reading the blob waits for more bytes. The table stays the record; this mirrors it
 * for the blobs being uploaded now (and is rebuilt from the table after a restart).
 *
 * <p>A recipient reads the part next in order as it is written, not once it is committed: it trailed
 * the sender by a whole part (8 MiB) before, which at the end of an object was a part's upload, then
 * its download, one after the other. That is safe because every attempt at a part carries the same
 * bytes at the same offsets (the sender sends its one buffer again), and the recipient authenticates
 * the whole payload end to end: bytes of an attempt that is later cut, or of a sender that lies about
 * them, can at worst fail that sender's own blob.
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
    /** Bytes a reader may take: the committed ones, and those of the part next in order written so far. */
    private long readable;
    private boolean complete;
    /** Counts commits: any progress restarts an idle wait. */
    private long version;
    /** Why the blob is gone (deleted, aborted, expired, revoked), or null. */
    private String gone;

    BlobProgress(String name, int parts, long size, boolean complete) {
        this.name = name;
        this.parts = parts;
        this.size = size;
        this.readable = size;
        this.complete = complete;
    }

    /**
     * Part {@code index}, declared to start at {@code offset} and hold {@code length} bytes (-1: unknown), has
     * {@code written} of them in the file: readable now if it is the part next in order.
     */
    void written(int index, long offset, long length, long written) {
        lock.lock();
        try {
            if (complete || parts != index || size != offset) return; // written ahead, or not where the blob ends
            long end = offset + (length >= 0 ? Math.min(written, length) : written);
            if (end <= readable) return; // an attempt again, still behind an earlier one
            readable = end;
            version++;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Part {@code parts} committed: the blob has {@code newSize} bytes, all of them if {@code last}. */
    void committed(int newParts, long newSize, boolean last) {
        lock.lock();
        try {
            parts = newParts;
            size = newSize;
            readable = last ? newSize : Math.max(readable, newSize);
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
     * Waits until the blob has more than {@code position} readable bytes and returns how many, or -1
     * if it is complete with exactly {@code position}.
     *
     * @throws StalledException if the blob went, or no bytes arrived for {@code idle}
     */
    long awaitBeyond(long position, Duration idle) throws IOException {
        return await(() -> readable > position || complete, idle, "no part of it arrived", () -> readable > position ? readable : -1);
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
