package org.dicomrelay.router.link;

import org.dicomrelay.dicom.net.FailureText;
import org.dicomrelay.relay.cloud.BlobNames;
import org.dicomrelay.relay.cloud.BlobStore;

import java.io.Closeable;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Router A's bundles (issue 10): small C-STOREs to one router and called AE are appended to one open
 * bundle, a sealed payload blob that streams to the cloud as it fills ({@link BundleEntries}), and go
 * with one {@link LinkMessage.StoreBundle} frame when it holds {@code bundleBytes} or {@code linger}
 * after its first object, whichever comes first. An append returns at once with a stage that completes
 * when the frame is out (or fails, so the spool sends those objects again): no thread waits for the
 * linger. The frame goes when the blob is complete: it lists every operation, so router B answers each
 * one even if the blob turns out cut; an upload that fails sends no frame, and no object is stored twice.
 *
 * <p>Each object keeps its operation and its answer. The blob is settled (its journal record forgotten,
 * or the blob withdrawn when some entry was abandoned) once every entry is answered or abandoned.
 */
final class Bundler implements Closeable {
    private static final System.Logger LOG = System.getLogger(Bundler.class.getName());
    /** Open bundles at once (one per router and called AE): beyond this, objects go alone. Each holds one upload's buffers. */
    static final int MAX_OPEN = 16;
    private static final int FLUSH_THREADS = 2;
    private static final long CLOSE_WAIT_SECONDS = 30;

    /** Objects up to {@code objectMaxBytes} are bundled; a bundle goes at {@code bundleBytes} or after {@code linger}. */
    record Settings(long objectMaxBytes, long bundleBytes, Duration linger) {
        Settings {
            if (objectMaxBytes < 0 || bundleBytes < 1 || linger.isNegative()) throw new IllegalArgumentException("bundle settings out of range");
        }
    }

    /** A bundle's blob, being written: its upload (aborted on failure) and the sealed stream into it. */
    record Sealed(BlobStore.Upload upload, OutputStream out) {}

    /** What the courier does for its bundles. */
    interface Outlet {
        /** Creates the blob {@code blob} for the frame {@code frameId} (recorded in the upload journal under {@code bundleId}). */
        Sealed open(String toRouterId, String blob, String frameId, String bundleId) throws IOException;

        void publish(String toRouterId, String frameId, LinkMessage.StoreBundle bundle, String blob) throws IOException;

        /** Every entry is answered or abandoned: forgets the blob (answered) or withdraws it (some entry abandoned). */
        void settled(String toRouterId, String bundleId, String blob, boolean withdraw);
    }

    private record Key(String toRouterId, String calledAe) {}

    private final Settings settings;
    private final Outlet outlet;
    private final Map<Key, Open> open = new HashMap<>();
    /** Entries of published bundles awaiting their answer, by recipient and operation. */
    private final Map<String, Sent> sent = new ConcurrentHashMap<>();
    /** Seals bundles whose linger ran out; owned here, closed by {@link #close()}. */
    private final ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(FLUSH_THREADS, LinkThreads.named("bundle-flush"));
    private boolean closed;

    Bundler(Settings settings, Outlet outlet) {
        this.settings = settings;
        this.outlet = outlet;
        timer.setRemoveOnCancelPolicy(true);
    }

    /**
     * Appends a C-STORE of {@code size} bytes to its destination's open bundle and returns when its bytes are
     * written, with a stage that completes once the bundle's frame is published; null when it must go alone
     * (too large, too many open bundles, closing). An IOException: this object was not bundled (nor, then,
     * are the others in its bundle, whose stages fail).
     */
    CompletableFuture<Void> append(String toRouterId, LinkMessage.StoreRq rq, long size, Courier.PayloadWriter payload) throws IOException {
        if (size > settings.objectMaxBytes()) return null;
        byte[] header = LinkCodec.encode(rq, null);
        Key key = new Key(toRouterId, rq.calledAe());
        while (true) {
            Open b = openFor(key);
            if (b == null) return null;
            CompletableFuture<Void> done = new CompletableFuture<>();
            boolean full;
            synchronized (b) {
                if (b.sealing) continue; // sealed between our look-up and now: the next one
                try {
                    if (b.out == null) b.start();
                    BundleEntries.write(b.out, header, size, payload);
                } catch (IOException | RuntimeException e) {
                    b.sealing = true;
                    forget(b);
                    failed(b, e);
                    throw e;
                }
                b.operations.add(rq.operationId());
                b.waiting.add(done);
                b.bytes += size + header.length + BundleEntries.FRAMING_BYTES;
                full = b.bytes >= settings.bundleBytes() || b.operations.size() >= LinkMessage.StoreBundle.MAX_ENTRIES;
                if (full) b.sealing = true;
                else if (b.operations.size() == 1) b.linger = timer.schedule(() -> flush(b), settings.linger().toNanos(), TimeUnit.NANOSECONDS);
            }
            if (full) {
                // Sealed by the thread that filled it: the next appender opens the next bundle meanwhile.
                forget(b);
                seal(b);
            }
            return done;
        }
    }

    /** Router {@code from} answered {@code operationId}; true when it was an entry of one of our bundles. */
    boolean answered(String from, String operationId) {
        Sent s = sent.remove(from + "/" + operationId);
        if (s == null) return false;
        s.done(false);
        return true;
    }

    /** The sender stopped waiting for {@code operationId}; true when it was an entry of one of our bundles (whose blob others share). */
    boolean abandoned(String toRouterId, String operationId) {
        Sent s = sent.remove(toRouterId + "/" + operationId);
        if (s == null) return false;
        s.done(true);
        return true;
    }

    private synchronized Open openFor(Key key) {
        if (closed) return null;
        Open b = open.get(key);
        if (b == null) {
            if (open.size() >= MAX_OPEN) return null;
            b = new Open(key);
            open.put(key, b);
        }
        return b;
    }

    private synchronized void forget(Open b) {
        open.remove(b.key, b);
    }

    /** The linger ran out (or the courier closes): the bundle goes with what it holds. */
    private void flush(Open b) {
        synchronized (b) {
            if (b.sealing) return;
            b.sealing = true;
        }
        forget(b);
        seal(b);
    }

    /** Completes the blob, then publishes the frame; no appender touches {@code b} any more. */
    private void seal(Open b) {
        if (b.linger != null) b.linger.cancel(false);
        if (b.operations.isEmpty()) return; // opened, never written: nothing was created
        try {
            b.out.close(); // the upload completes: every part stored
        } catch (IOException | RuntimeException e) {
            failed(b, e);
            return;
        }
        Sent s = new Sent(b.key.toRouterId(), b.bundleId, b.blob, b.operations.size());
        for (String op : b.operations) sent.put(b.key.toRouterId() + "/" + op, s);
        try {
            outlet.publish(b.key.toRouterId(), b.frameId, new LinkMessage.StoreBundle(b.bundleId, b.key.calledAe(), b.operations), b.blob);
        } catch (IOException | RuntimeException e) {
            // No frame names the blob (or, if the publish went through unseen, router B answers each entry: those answers find nothing).
            for (String op : b.operations) sent.remove(b.key.toRouterId() + "/" + op);
            outlet.settled(b.key.toRouterId(), b.bundleId, b.blob, true);
            for (CompletableFuture<Void> w : b.waiting) w.completeExceptionally(e);
            return;
        }
        for (CompletableFuture<Void> w : b.waiting) w.complete(null);
    }

    /** The bundle cannot go: its upload is aborted and each object it holds is sent again by the spool. */
    private void failed(Open b, Exception e) {
        if (b.linger != null) b.linger.cancel(false);
        if (b.sealed != null) {
            try {
                b.sealed.upload().abort();
            } catch (RuntimeException ignored) {
                // aborting is best effort: the journal's sweep deletes what stays
            }
        }
        if (!b.operations.isEmpty()) {
            LOG.log(System.Logger.Level.WARNING, "a bundle of " + b.operations.size() + " object(s) to router " + b.key.toRouterId() + " for "
                    + b.key.calledAe() + " could not be uploaded, the spool sends them again: " + FailureText.of(e));
        }
        for (CompletableFuture<Void> w : b.waiting) w.completeExceptionally(e);
    }

    /** Seals what is open (each bundle goes now, not after its linger) and stops the timer. */
    @Override public void close() {
        List<Open> left;
        synchronized (this) {
            closed = true;
            left = new ArrayList<>(open.values());
            open.clear();
        }
        for (Open b : left) flush(b);
        timer.shutdown();
        try {
            if (!timer.awaitTermination(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS)) timer.shutdownNow();
        } catch (InterruptedException e) {
            timer.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    /** A bundle being filled; its fields are guarded by its own monitor until {@link #sealing}. */
    private final class Open {
        final Key key;
        final String bundleId = UUID.randomUUID().toString();
        final String frameId = BlobNames.random();
        final String blob = BlobNames.random();
        final List<String> operations = new ArrayList<>();
        final List<CompletableFuture<Void>> waiting = new ArrayList<>();
        Sealed sealed;
        DataOutputStream out;
        long bytes;
        boolean sealing;
        ScheduledFuture<?> linger;

        Open(Key key) {
            this.key = key;
        }

        void start() throws IOException {
            sealed = outlet.open(key.toRouterId(), blob, frameId, bundleId);
            out = new DataOutputStream(sealed.out());
        }
    }

    /** A published bundle: settled when each of its entries is answered or abandoned. */
    private final class Sent {
        private final String toRouterId, bundleId, blob;
        private int remaining;
        private boolean withdraw;

        Sent(String toRouterId, String bundleId, String blob, int entries) {
            this.toRouterId = toRouterId;
            this.bundleId = bundleId;
            this.blob = blob;
            this.remaining = entries;
        }

        void done(boolean abandoned) {
            boolean last;
            synchronized (this) {
                withdraw |= abandoned;
                last = --remaining == 0;
            }
            if (last) outlet.settled(toRouterId, bundleId, blob, withdraw);
        }
    }
}
