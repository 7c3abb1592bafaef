package org.dicomrelay.router;

import org.dicomrelay.dicom.data.TransferSyntax;
import org.dicomrelay.dicom.net.AssociationOptions;
import org.dicomrelay.dicom.net.DimseResponse;
import org.dicomrelay.dicom.net.FailureText;
import org.dicomrelay.dicom.net.service.StorageSource;
import org.dicomrelay.dicom.net.service.StoreScu;
import org.dicomrelay.dicom.net.service.StreamSource;
import org.dicomrelay.router.config.Device;

import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * The router's C-STORE associations to local devices: one per device, used by one object at a
 * time and kept open between objects, so that a study arriving through the relay does not cost
 * an association (and, with many PACS, a process or a database session) per instance.
 *
 * <p>Objects for one device are sent one after another: a device that serves one association at
 * a time (DCMTK's storescp without --fork) never sees a second association from us waiting
 * behind the first. An association left idle for {@code idle} is released, so that other
 * clients of such a device are not held off for long. An association the device has ended
 * meanwhile (its own idle timeout) is noticed, and one that fails on its first use after
 * waiting is replaced once: the object is sent again on a new association (C-STORE of the
 * same SOP instance is repeatable; a streamed object only if none of its bytes was read yet).
 * An object whose stream fails midway aborts its association (the device keeps nothing of
 * it), which leaves the pool; the next object opens a new one.
 *
 * <p>The association proposes the SOP classes and transfer syntaxes of the objects sent to the
 * device so far (at most {@link #MAX_NEEDS}); an object that needs another one opens a new
 * association proposing it too.
 */
final class StoreAssociations implements Closeable {
    private static final System.Logger LOG = System.getLogger(StoreAssociations.class.getName());
    /** Needs proposed together: each may take two presentation contexts, and 128 fit in one association. */
    static final int MAX_NEEDS = 32;

    private final String callingAe;
    private final DeviceOptions options;
    private final long idleNanos;
    private final Map<String, Slot> slots = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("store-associations"));
    private volatile boolean closed;

    /** The association to one device and what it was proposed for; guarded by {@link #lock}. */
    private static final class Slot {
        final ReentrantLock lock = new ReentrantLock(true);
        StoreScu scu;
        final Set<StoreScu.Need> needs = new LinkedHashSet<>();
        long lastUse;
    }

    StoreAssociations(String callingAe, AssociationOptions options, Duration idle) {
        this(callingAe, DeviceOptions.plain(options), idle);
    }

    StoreAssociations(String callingAe, DeviceOptions options, Duration idle) {
        this.callingAe = callingAe;
        this.options = options;
        this.idleNanos = idle.toNanos();
        long period = Math.max(10, idle.toMillis() / 4);
        timer.scheduleWithFixedDelay(this::releaseIdle, period, period, TimeUnit.MILLISECONDS);
    }

    /** C-STORE of one object to a local device; returns the device's C-STORE-RSP. */
    DimseResponse store(Device d, StorageSource src) throws IOException {
        return store(d, src, null, -1);
    }

    /** The same as a sub-operation of a C-MOVE (move originator AE title and message ID, PS3.7 §9.3.1.1). */
    DimseResponse store(Device d, StorageSource src, String moveOriginatorAe, int moveOriginatorMessageId) throws IOException {
        return store(d, src.sopClassUid(), src.transferSyntax(), scu -> scu.store(src, moveOriginatorAe, moveOriginatorMessageId), () -> true);
    }

    /**
     * C-STORE of an object read while it is sent. If its stream fails midway the association is
     * aborted (the device keeps nothing of it) and dropped from the pool; the failure is thrown,
     * and {@link StreamSource#failure()} names it. The object is sent again on a new association
     * only if the kept one failed before a byte of the stream was read.
     */
    DimseResponse store(Device d, StreamSource src) throws IOException {
        return store(d, src, null, -1);
    }

    /** The same as a sub-operation of a C-MOVE (move originator AE title and message ID, PS3.7 §9.3.1.1). */
    DimseResponse store(Device d, StreamSource src, String moveOriginatorAe, int moveOriginatorMessageId) throws IOException {
        return store(d, src.sopClassUid(), src.transferSyntax(), scu -> scu.store(src, moveOriginatorAe, moveOriginatorMessageId),
                () -> !src.started());
    }

    /** One C-STORE on the association {@code scu}. */
    @FunctionalInterface
    private interface Send {
        DimseResponse on(StoreScu scu) throws IOException;
    }

    /** @param repeatable whether the object can still be sent again (a file can; a stream only before it was read) */
    private DimseResponse store(Device d, String sopClassUid, TransferSyntax ts, Send send, BooleanSupplier repeatable) throws IOException {
        if (closed) throw new IOException("the router is shutting down");
        Slot s = slots.computeIfAbsent(d.aeTitle() + "@" + d.host() + ":" + d.port(), k -> new Slot());
        StoreScu.Need need = new StoreScu.Need(sopClassUid, ts.uid());
        s.lock.lock();
        try {
            boolean reused = s.scu != null && !s.scu.association().isEnded() && s.needs.contains(need);
            if (!reused) open(s, d, need);
            if (!carries(s.scu.association(), sopClassUid, ts)) {
                s.needs.remove(need); // proposed again next time: the device's configuration may change
                throw new ContextRefusedException(sopClassUid, ts.name());
            }
            try {
                DimseResponse rsp = send.on(s.scu);
                s.lastUse = System.nanoTime();
                return rsp;
            } catch (IOException e) {
                drop(s); // aborted already if the failure came mid-message: then this only forgets it
                if (!reused || closed || !repeatable.getAsBoolean()) throw e;
                // The device may have dropped the association while it waited for us: once more, on a new one.
                LOG.log(System.Logger.Level.DEBUG, "C-STORE to " + d.aeTitle() + " failed on a kept association (" + FailureText.of(e)
                        + "), sending on a new one");
                open(s, d, need);
                try {
                    DimseResponse rsp = send.on(s.scu);
                    s.lastUse = System.nanoTime();
                    return rsp;
                } catch (IOException again) {
                    drop(s);
                    throw again;
                }
            }
        } finally {
            if (closed) drop(s); // close() leaves an association in use to its user
            s.lock.unlock();
        }
    }

    /** Whether a context accepted on the association can carry the object, as is or converted (as {@link StoreScu} sends it). */
    private static boolean carries(org.dicomrelay.dicom.net.Association as, String sopClassUid, TransferSyntax ts) {
        if (as.findContext(sopClassUid, ts.uid()) > 0) return true;
        return ts.isUncompressed() && as.findContext(sopClassUid, null) > 0;
    }

    private void open(Slot s, Device d, StoreScu.Need need) throws IOException {
        drop(s);
        if (!s.needs.contains(need) && s.needs.size() >= MAX_NEEDS) s.needs.clear();
        s.needs.add(need);
        try {
            s.scu = StoreScu.open(d.host(), d.port(), d.aeTitle(), callingAe, new ArrayList<>(s.needs), options.of(d));
        } catch (IOException e) {
            // Perhaps one of the earlier needs is what the device refuses: start over with this one alone.
            s.needs.clear();
            s.needs.add(need);
            throw e;
        }
    }

    /** Releases the slot's association, if any (A-RELEASE, or A-ABORT if that fails). */
    private static void drop(Slot s) {
        StoreScu scu = s.scu;
        s.scu = null;
        if (scu != null) scu.close();
    }

    private void releaseIdle() {
        long now = System.nanoTime();
        for (Slot s : slots.values()) {
            // An association in use is not idle; one that is will be looked at again on the next round.
            if (!s.lock.tryLock()) continue;
            try {
                if (s.scu != null && (now - s.lastUse >= idleNanos || s.scu.association().isEnded())) drop(s);
            } finally {
                s.lock.unlock();
            }
        }
    }

    /** Associations open right now (for tests). */
    int open() {
        int n = 0;
        for (Slot s : slots.values()) {
            StoreScu scu = s.scu;
            if (scu != null && !scu.association().isEnded()) n++;
        }
        return n;
    }

    /** Releases the idle associations now; one in use is released by its user when its object is sent. */
    @Override public void close() {
        closed = true;
        timer.shutdownNow();
        for (Slot s : slots.values()) {
            if (!s.lock.tryLock()) continue;
            try {
                drop(s);
            } finally {
                s.lock.unlock();
            }
        }
    }
}
