package org.dicomrelay.it;

import org.dicomrelay.dicom.data.Attributes;
import org.dicomrelay.dicom.data.VR;
import org.dicomrelay.dicom.net.ApplicationEntity;
import org.dicomrelay.dicom.net.Association;
import org.dicomrelay.dicom.net.DicomServer;
import org.dicomrelay.dicom.net.RequestHandler;
import org.dicomrelay.dicom.net.pdu.AAssociateAc;
import org.dicomrelay.dicom.net.service.DicomServiceException;
import org.dicomrelay.dicom.net.service.DimseServices;
import org.dicomrelay.dicom.net.service.Responder;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A C-FIND (Study Root) and C-STORE (Secondary Capture) SCP on 127.0.0.1 under any called AE
 * title, that answers each query with one match carrying the query's Patient ID, stores nothing
 * (it reads the data set and answers Success), and holds the requests to {@code heldAe} until
 * {@link #release}: the associations a relay opens to it stay open, so their number is observable.
 * Per called AE title it counts the associations open and their peak: from A-ASSOCIATE-AC to the
 * end of their query (a requestor opens its next one only after the final response, so the count
 * has no race with the release of the previous one), or to the association's end for one that
 * stores. Per Patient ID (queries) and SOP Instance UID (stores), the requests it ran. Up to 400
 * associations: the PACS itself is no bound on a flood of 300.
 */
final class HoldingScp implements AutoCloseable {
    static final String STUDY_ROOT_FIND = "1.2.840.10008.5.1.4.1.2.2.1";
    static final String SECONDARY_CAPTURE = "1.2.840.10008.5.1.4.1.1.7";
    private static final int PATIENT_ID = 0x00100020;
    private static final int QUERY_RETRIEVE_LEVEL = 0x00080052;
    private static final Duration MAX_HOLD = Duration.ofMinutes(3);

    private final String heldAe;
    private final CountDownLatch released = new CountDownLatch(1);
    private final Map<String, AtomicInteger> open = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> peak = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();
    private final AtomicInteger held = new AtomicInteger();
    /** Associations whose count has been given back (at the end of their query, or when they ended without one). */
    private final Set<Association> ended = ConcurrentHashMap.newKeySet();
    private final Runnable onHeld;
    private final DicomServer server;

    /** {@code onHeld} runs as each request to {@code heldAe} arrives (the test samples the relay's threads there). */
    HoldingScp(String heldAe, Runnable onHeld) throws IOException {
        this.heldAe = heldAe;
        this.onHeld = onHeld;
        ApplicationEntity ae = new ApplicationEntity(heldAe).accept(STUDY_ROOT_FIND, "1.2.840.10008.1.2", "1.2.840.10008.1.2.1")
                .accept(SECONDARY_CAPTURE, "1.2.840.10008.1.2", "1.2.840.10008.1.2.1")
                .acceptAnyCalledAeTitle(true);
        DimseServices services = new DimseServices().onFind(this::find).onStore(this::store);
        RequestHandler handler = new RequestHandler() {
            @Override public void onRequest(Association as, int pcid, Attributes command, InputStream data) throws IOException {
                services.onRequest(as, pcid, command, data);
            }

            @Override public void onCancel(Association as, int messageId) {
                services.onCancel(as, messageId);
            }

            @Override public void onClose(Association as) {
                end(as);
                services.onClose(as);
            }
        };
        Association.Negotiator counting = (rq, socket) -> {
            AAssociateAc ac = ae.negotiate(rq, socket);
            int n = counter(open, rq.calledAeTitle()).incrementAndGet();
            counter(peak, rq.calledAeTitle()).accumulateAndGet(n, Math::max);
            return ac;
        };
        server = DicomServer.start("HOLDING", counting, ae.options(), "127.0.0.1", 0, 400, handler);
    }

    private void find(Association as, DimseServices.QueryRequest rq, Responder responder) throws IOException {
        try {
            String patientId = rq.identifier().getString(PATIENT_ID);
            counter(requests, String.valueOf(patientId)).incrementAndGet();
            holdIfAddressedTo(as);
            Attributes match = new Attributes();
            match.setString(QUERY_RETRIEVE_LEVEL, VR.CS, "STUDY");
            match.setString(PATIENT_ID, VR.LO, patientId);
            responder.match(match);
        } finally {
            end(as);
        }
    }

    private int store(Association as, DimseServices.StoreRequest rq, InputStream data) throws IOException {
        data.transferTo(OutputStream.nullOutputStream());
        counter(requests, String.valueOf(rq.sopInstanceUid())).incrementAndGet();
        holdIfAddressedTo(as);
        return 0x0000;
    }

    private void holdIfAddressedTo(Association as) throws DicomServiceException {
        if (!heldAe.equals(as.calledAeTitle())) return;
        onHeld.run();
        held.incrementAndGet();
        try {
            if (!released.await(MAX_HOLD.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new DicomServiceException(0xA700, "held longer than " + MAX_HOLD + ": the test did not release it");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DicomServiceException(0xA700, "interrupted while held");
        } finally {
            held.decrementAndGet();
        }
    }

    private void end(Association as) {
        if (ended.add(as)) counter(open, as.calledAeTitle()).decrementAndGet();
    }

    private static AtomicInteger counter(Map<String, AtomicInteger> m, String key) {
        return m.computeIfAbsent(key, k -> new AtomicInteger());
    }

    int port() { return server.port(); }

    /** Lets every held request, and those still to come, answer. */
    void release() { released.countDown(); }

    /** Requests to the held AE waiting for {@link #release} now. */
    int held() { return held.get(); }

    int open(String calledAe) { return counter(open, calledAe).get(); }

    int peak(String calledAe) { return counter(peak, calledAe).get(); }

    /** How many requests carried each Patient ID (C-FIND) or SOP Instance UID (C-STORE). */
    Map<String, Integer> requestsByKey() {
        Map<String, Integer> m = new TreeMap<>();
        requests.forEach((k, v) -> m.put(k, v.get()));
        return m;
    }

    @Override public void close() {
        release();
        server.close();
    }
}
