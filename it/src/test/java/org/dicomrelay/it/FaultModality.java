package org.dicomrelay.it;

import org.dicomrelay.dicom.net.AssociationOptions;
import org.dicomrelay.dicom.net.DimseResponse;
import org.dicomrelay.dicom.net.service.StorageSource;
import org.dicomrelay.dicom.net.service.StoreScu;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The modality at hospital A: C-STOREs a study to router A with our StoreScu, one instance at a
 * time on a kept association, recording every attempt and its C-STORE-RSP status, so that the
 * test knows exactly which instances router A acknowledged (Success or a warning, PS3.4
 * §B.2.3: the SCP has stored the object). An association that breaks is opened again for the
 * next attempt.
 */
final class FaultModality {
    static final String AE = "WORKSTATION";
    /** A modality re-sends a refused object after a pause; this is its pacing, not a synchronisation. */
    private static final long RETRY_PAUSE_MILLIS = 200;
    private static final AssociationOptions OPTIONS = AssociationOptions.DEFAULT.withDimseTimeout(Duration.ofSeconds(90));

    /** One C-STORE attempt: its status, or -1 and the error when no C-STORE-RSP came. */
    record Attempt(String sopInstanceUid, long startedAt, long endedAt, int status, String error) {
        boolean acknowledged() {
            return status == 0x0000 || (status & 0xF000) == 0xB000;
        }

        String outcome() {
            return status >= 0 ? String.format("%04XH", status) : error;
        }
    }

    private final int port;
    private final String calledAe;
    private StoreScu scu;
    final List<Attempt> attempts = new CopyOnWriteArrayList<>();
    /** Acknowledged instances and when (System.nanoTime()) their first acknowledgement came. */
    final Map<String, Long> acknowledged = new ConcurrentHashMap<>();
    private final AtomicInteger refused = new AtomicInteger();

    FaultModality(int port, String calledAe) {
        this.port = port;
        this.calledAe = calledAe;
    }

    int acknowledgedCount() {
        return acknowledged.size();
    }

    /** Attempts answered with a failure status or with no answer at all. */
    int refusedCount() {
        return refused.get();
    }

    long lastAcknowledgedAt() {
        return acknowledged.values().stream().mapToLong(Long::longValue).max().orElse(System.nanoTime());
    }

    /** Each file once, whatever the outcome. */
    void sendOnce(List<Path> files) {
        for (Path f : files) attempt(f);
    }

    /** Each file until it is acknowledged (a modality's send queue), for at most {@code perFile} each. */
    void sendUntilAcknowledged(List<Path> files, Duration perFile) throws InterruptedException {
        for (Path f : files) {
            long deadline = System.nanoTime() + perFile.toNanos();
            while (!attempt(f).acknowledged()) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("router A did not acknowledge " + f.getFileName() + " within " + perFile.toSeconds()
                            + " s; last attempts: " + attempts.subList(Math.max(0, attempts.size() - 3), attempts.size()));
                }
                TimeUnit.MILLISECONDS.sleep(RETRY_PAUSE_MILLIS);
            }
        }
    }

    private Attempt attempt(Path file) {
        long start = System.nanoTime();
        String iuid = null;
        Attempt a;
        try {
            StorageSource src = StorageSource.probe(file);
            iuid = src.sopInstanceUid();
            if (scu == null || scu.association().isEnded()) {
                close();
                scu = StoreScu.open("127.0.0.1", port, calledAe, AE, List.of(new StoreScu.Need(src.sopClassUid(), src.transferSyntax().uid())),
                        OPTIONS);
            }
            DimseResponse rsp = scu.store(src);
            a = new Attempt(iuid, start, System.nanoTime(), rsp.status(), rsp.command().getString(0x00000902));
        } catch (IOException e) {
            close();
            a = new Attempt(iuid, start, System.nanoTime(), -1, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
        attempts.add(a);
        if (a.acknowledged()) acknowledged.putIfAbsent(a.sopInstanceUid(), a.endedAt());
        else refused.incrementAndGet();
        return a;
    }

    /** Acknowledged instances among those attempted after {@code since} (System.nanoTime()). */
    Set<String> acknowledgedStartedAfter(long since) {
        Set<String> out = ConcurrentHashMap.newKeySet();
        for (Attempt a : attempts) if (a.startedAt() > since && a.acknowledged()) out.add(a.sopInstanceUid());
        return out;
    }

    void close() {
        if (scu != null) scu.close();
        scu = null;
    }
}
