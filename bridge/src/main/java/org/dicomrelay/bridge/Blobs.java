package org.dicomrelay.bridge;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.dicomrelay.dicom.net.FailureText;
import org.dicomrelay.relay.cloud.BlobAccount;
import org.dicomrelay.relay.log.RepeatingLog;

/**
 * The blobs the Bridge stores for routers (Cloud IO provider "bridge"). A blob is uploaded by its
 * sender in parts (several at once, committed in order), and read only by the recipient named with
 * its first part, while it is uploaded (parts streamed as they are committed) or once complete; the sender or the recipient deletes it (the recipient does once it has read it). Each
 * sender may have at most {@link BridgeConfig#blobQuotaBytes()} of blobs here (429 beyond: for
 * that sender only); blobs nobody consumed within {@link BridgeConfig#blobMaxAge()}, and uploads
 * untouched for {@link #INCOMPLETE_MAX_AGE}, are deleted by the sweeper this class owns. Anyone
 * else asking about a blob hears 404, whether or not it exists.
 */
final class Blobs implements AutoCloseable {
    static final Duration INCOMPLETE_MAX_AGE = Duration.ofHours(1);
    /** How far ahead of the next part to commit a part may be sent: bounds the Bridge's threads waiting per upload. */
    static final int MAX_AHEAD = 16;
    private static final Duration SWEEP_PERIOD = Duration.ofMinutes(1);
    private static final System.Logger LOG = System.getLogger(Blobs.class.getName());

    /** A blob being read: its bytes and how many there are. */
    record Download(InputStream in, long size) {}

    private final BlobTable table;
    private final BlobFiles files;
    private final BridgeConfig config;
    private final Clock clock;
    /** Parts being stored ("name/index"), each with its attempt's end: one attempt at a time per part. */
    private final Map<String, CompletableFuture<Void>> writing = new ConcurrentHashMap<>();
    /** The progress of blobs that had a part stored or a reader since the Bridge started, until they go. */
    private final Map<String, BlobProgress> live = new ConcurrentHashMap<>();
    /** Bytes of parts being stored, per sender, not yet in the table: counted against the quota. */
    private final Map<String, Long> inFlight = new ConcurrentHashMap<>();
    private final AtomicLong received = new AtomicLong();
    /** Refusals for quota, per sender: a router retrying over its quota is one line, then a count per minute. */
    private final RepeatingLog quotaLog = new RepeatingLog(LOG, Duration.ofMinutes(1));
    private final ScheduledExecutorService sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "bridge-blob-sweeper");
        t.setDaemon(true);
        return t;
    });

    /** Tells the other Bridge instances on the same database of each part committed and blob gone here; null: no others. Closed with this. */
    private volatile DatabaseSignals otherInstances;

    Blobs(BlobTable table, BlobFiles files, BridgeConfig config, Clock clock) {
        this.table = table;
        this.files = files;
        this.config = config;
        this.clock = clock;
    }

    /**
     * Shares the blobs with other Bridge instances on the same (PostgreSQL) database and blob folder:
     * a part committed through one wakes readers and waiting parts at the others.
     */
    void shareThrough(DatabaseSignals signals) {
        otherInstances = signals;
    }

    /** A signal from an instance (this one too): {@code name:parts:size:complete}, or {@code name:gone}. */
    void refresh(String signal) {
        String[] f = signal.split(":");
        BlobProgress p = f.length > 0 ? live.get(f[0]) : null;
        if (p == null) return; // nobody here waits on it; the table tells whoever comes
        try {
            if (f.length == 2 && f[1].equals("gone")) {
                if (live.remove(f[0], p)) p.gone("deleted through another Bridge instance");
            } else if (f.length == 4) {
                p.committedElsewhere(Integer.parseInt(f[1]), Long.parseLong(f[2]), Boolean.parseBoolean(f[3]));
            }
        } catch (NumberFormatException e) {
            LOG.log(System.Logger.Level.WARNING, "ignored a malformed blob signal from another Bridge instance: " + signal);
        }
    }

    /** Signals may have been missed (the listening connection was down): every blob waited on here looks at the table. */
    void refreshAll() {
        for (var e : live.entrySet()) {
            try {
                Optional<BlobTable.Row> row = table.find(e.getKey());
                if (row.isEmpty()) {
                    if (live.remove(e.getKey(), e.getValue())) e.getValue().gone("deleted through another Bridge instance");
                } else {
                    e.getValue().committedElsewhere(row.get().parts(), row.get().sizeBytes(), row.get().complete());
                }
            } catch (RuntimeException ex) { // the table is read through Jdbi: its failures are unchecked
                LOG.log(System.Logger.Level.WARNING, "could not look at blob " + e.getKey() + " after missed signals (its waiters time out "
                        + "or see it at the next part): " + FailureText.of(ex));
            }
        }
    }

    private void announce(String signal) {
        DatabaseSignals others = otherInstances;
        if (others != null) others.announce(signal);
    }

    /** Sweeps now (what expired while the Bridge was down) and then every minute. */
    void startSweeping() {
        sweeper.scheduleWithFixedDelay(this::sweepQuietly, 0, SWEEP_PERIOD.toMillis(), TimeUnit.MILLISECONDS);
    }

    BlobAccount account(String routerId) {
        return new BlobAccount(config.blobPartBytes(), config.blobQuotaBytes(), table.bytesOf(routerId));
    }

    /**
     * Stores part {@code index} of blob {@code name} from sender {@code me} for {@code recipient},
     * streaming {@code body} to disk at {@code offset}; {@code contentLength} is -1 when not
     * announced. Parts may come at once (up to {@link #MAX_AHEAD} ahead of the next to commit, the
     * first one alone: it creates the blob); each is written as it streams and committed in order,
     * so its answer means it and every part before it are stored. A part already stored (a retry
     * whose first answer was lost) is answered again and not written. The last part completes the
     * blob. Returns the blob's size so far.
     */
    long putPart(String me, String name, String recipient, int index, long offset, boolean last, long contentLength, InputStream body)
            throws IOException {
        int partBytes = config.blobPartBytes();
        if (contentLength > partBytes) throw tooLarge();
        if (offset < 0) throw ApiException.badRequest("a part's offset must not be negative");
        String key = name + "/" + index;
        CompletableFuture<Void> attempt = new CompletableFuture<>();
        awaitEarlierAttempt(key, attempt);
        try {
            BlobTable.Row row = table.find(name).orElse(null);
            if (row == null) {
                if (index != 0) throw ApiException.notFound("no upload of blob " + name + " (its first part is missing, or it was deleted)");
                if (offset != 0) throw ApiException.badRequest("the first part of a blob starts at offset 0");
                table.create(name, me, recipient, clock.millis());
                row = new BlobTable.Row(name, me, recipient, 0, 0, false);
            } else if (!row.senderId().equals(me)) {
                throw ApiException.conflict("blob name already in use");
            }
            if (!row.recipientId().equals(recipient)) throw ApiException.badRequest("the recipient differs from the one of the blob's first part");
            if (index < row.parts()) return row.sizeBytes(); // stored already: a retry after a lost answer
            if (row.complete()) throw ApiException.conflict("blob " + name + " is already complete");
            if (index > row.parts() + MAX_AHEAD) {
                throw ApiException.conflict("blob " + name + " expects part " + row.parts() + "; parts may run at most " + MAX_AHEAD + " ahead, not " + index);
            }
            BlobProgress progress = progress(row);
            long reserve = contentLength >= 0 ? contentLength : partBytes;
            reserve(me, reserve);
            try {
                long n;
                try {
                    n = files.append(name, offset, body, partBytes, written -> progress.written(index, offset, contentLength, written));
                } catch (BlobFiles.TooLargeException e) {
                    throw tooLarge();
                }
                long start;
                try {
                    start = progress.awaitTurn(index, config.blobIdleTimeout());
                } catch (BlobProgress.StalledException e) {
                    // Gone meanwhile: this part's write may have made the file again after the delete.
                    if (table.find(name).isEmpty()) files.delete(name);
                    throw ApiException.conflict(e.getMessage());
                }
                if (start != offset) throw ApiException.badRequest("part " + index + " of blob " + name + " starts at byte " + start + ", not " + offset);
                long size = start + n;
                if (!table.partStored(name, index, size, last, clock.millis())) {
                    live.remove(name);
                    files.delete(name); // deleted (aborted, expired, revoked) while this part was written
                    throw ApiException.notFound("blob " + name + " was deleted while its part was stored");
                }
                if (last) {
                    files.truncate(name, size);
                    received.incrementAndGet();
                }
                progress.committed(index + 1, size, last);
                announce(name + ":" + (index + 1) + ":" + size + ":" + last);
                return size;
            } finally {
                inFlight.computeIfPresent(me, (k, v) -> v - reserve == 0 ? null : v - reserve);
            }
        } finally {
            writing.remove(key, attempt);
            attempt.complete(null);
        }
    }

    /**
     * Waits for an earlier attempt at the same part to end (a sender whose connection was cut sends
     * the part again at once, while the Bridge may not have noticed the cut yet), then registers this one.
     */
    private void awaitEarlierAttempt(String key, CompletableFuture<Void> attempt) throws IOException {
        long deadline = System.nanoTime() + config.blobIdleTimeout().toNanos();
        for (CompletableFuture<Void> earlier; (earlier = writing.putIfAbsent(key, attempt)) != null; ) {
            try {
                earlier.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                throw ApiException.conflict("part " + key.substring(key.indexOf('/') + 1) + " of this blob is still being stored by an earlier attempt");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while waiting for an earlier attempt at a part");
            } catch (ExecutionException e) {
                // never completed exceptionally
            }
        }
    }

    /** The progress of a blob in the table (kept until the blob goes, so that no reader rebuilds it from an older row). */
    private BlobProgress progress(BlobTable.Row row) {
        return live.computeIfAbsent(row.name(), k -> new BlobProgress(k, row.parts(), row.sizeBytes(), row.complete()));
    }

    private ApiException tooLarge() {
        return new ApiException(413, "a part of a blob may have at most " + config.blobPartBytes() + " bytes (blobPartBytes)");
    }

    /** Counts {@code bytes} against the sender's quota, or refuses with 429 if they would exceed it. */
    private synchronized void reserve(String sender, long bytes) {
        long used = table.bytesOf(sender) + inFlight.getOrDefault(sender, 0L);
        long quota = config.blobQuotaBytes();
        if (used + bytes > quota) {
            quotaLog.occurred(sender, System.Logger.Level.WARNING, "router " + sender + " is over its blob quota (" + used + " of " + quota
                    + " bytes held): its uploads are refused with 429 until its recipients consume blobs or they expire");
            throw new ApiException(429, "router " + sender + " holds " + used + " bytes of unconsumed blobs at the Bridge, its quota is "
                    + quota + " (blobQuotaBytes): try again once its recipients consumed some, or they expired");
        }
        inFlight.merge(sender, bytes, Long::sum);
        if (quotaLog.current(sender)) quotaLog.cleared(sender, "router " + sender + " is within its blob quota again");
    }

    /**
     * A blob for {@code me}; 404 if there is none (absent, or someone else's). A complete blob comes
     * with its size; one still being uploaded (size -1) streams its parts as they are committed.
     */
    Download open(String me, String name) throws IOException {
        return open(me, name, 0);
    }

    /**
     * As {@link #open(String, String)}, from byte {@code start} on (a range): a complete blob's
     * stream is positioned there ({@code size} stays the whole blob's); one still being uploaded
     * starts there, waiting for it if needed, and ends at once if the blob completes shorter.
     */
    Download open(String me, String name, long start) throws IOException {
        if (start < 0) throw ApiException.badRequest("a range must not start before byte 0");
        Optional<BlobTable.Row> row = table.find(name);
        if (row.isEmpty() || !row.get().recipientId().equals(me)) throw noBlob(name);
        if (!row.get().complete()) {
            BlobProgress p = progress(row.get());
            if (table.find(name).isEmpty()) { // removed meanwhile: nothing will ever signal p
                live.remove(name, p);
                throw noBlob(name);
            }
            return new Download(new BlobReader(files.path(name), p, config.blobIdleTimeout(), start), -1);
        }
        try {
            return new Download(files.open(name, Math.min(start, row.get().sizeBytes())), row.get().sizeBytes());
        } catch (NoSuchFileException e) {
            throw noBlob(name); // deleted in between
        }
    }

    /** Deletes a blob its sender or recipient no longer needs (consumed, or an upload aborted); 404 for anyone else. */
    void delete(String me, String name) throws IOException {
        Optional<BlobTable.Row> row = table.find(name);
        if (row.isEmpty() || !(row.get().senderId().equals(me) || row.get().recipientId().equals(me))) throw noBlob(name);
        remove(name, row.get().senderId().equals(me) ? "deleted by its sender (upload aborted)" : "deleted by its recipient");
    }

    private static ApiException noBlob(String name) {
        return ApiException.notFound("no blob " + name + " for this router");
    }

    /** The router was revoked: the blobs it sent and those addressed to it go. */
    void revoked(String routerId) throws IOException {
        List<String> names = table.of(routerId);
        for (String name : names) remove(name, "router " + routerId + " was revoked");
        if (!names.isEmpty()) LOG.log(System.Logger.Level.INFO, "deleted " + names.size() + " blob(s) of revoked router " + routerId);
    }

    /** Deletes blobs nobody consumed in time and abandoned uploads; returns how many. */
    int sweep() throws IOException {
        long now = clock.millis();
        int n = 0;
        for (String name : table.expired(now - config.blobMaxAge().toMillis(), now - INCOMPLETE_MAX_AGE.toMillis())) {
            if (remove(name, "expired")) n++;
        }
        if (n > 0) {
            LOG.log(System.Logger.Level.INFO, "deleted " + n + " blob(s) not consumed within " + config.blobMaxAge()
                    + " or uploads untouched for " + INCOMPLETE_MAX_AGE);
        }
        return n;
    }

    private void sweepQuietly() {
        try {
            sweep();
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "blob expiry sweep failed, trying again in " + SWEEP_PERIOD.toMinutes() + " min: " + FailureText.of(e));
        }
    }

    /** File first: a row without a file answers 404 and is swept; a file without a row would stay. */
    private boolean remove(String name, String why) throws IOException {
        BlobProgress p = live.remove(name);
        if (p != null) p.gone(why); // readers and waiting parts fail now, not at their idle timeout
        files.delete(name);
        boolean deleted = table.delete(name);
        if (deleted) announce(name + ":gone");
        return deleted;
    }

    BlobTable.Totals totals() {
        return table.totals();
    }

    /** Blobs completed since the Bridge started. */
    long received() {
        return received.get();
    }

    @Override
    public void close() {
        DatabaseSignals others = otherInstances;
        if (others != null) others.close();
        sweeper.shutdownNow();
    }
}
