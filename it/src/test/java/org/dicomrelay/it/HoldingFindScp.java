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

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A C-FIND SCP (Study Root) on 127.0.0.1 under any called AE title, that answers each query with
 * one match carrying the query's Patient ID, and holds the queries to {@code heldAe} until
 * {@link #release}: the associations a relay opens to it stay open, so their number is observable.
 * Per called AE title it counts the associations open (from A-ASSOCIATE-AC to the end of their
 * query: a requestor opens its next one only after the final response, so the count has no race
 * with the release of the previous one) and their peak; per Patient ID, the queries it ran.
 * Up to 400 associations: the PACS itself is no bound on a flood of 300.
 */
final class HoldingFindScp implements AutoCloseable {
    static final String STUDY_ROOT_FIND = "1.2.840.10008.5.1.4.1.2.2.1";
    private static final int PATIENT_ID = 0x00100020;
    private static final int QUERY_RETRIEVE_LEVEL = 0x00080052;
    private static final Duration MAX_HOLD = Duration.ofMinutes(3);

    private final String heldAe;
    private final CountDownLatch released = new CountDownLatch(1);
    private final Map<String, AtomicInteger> open = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> peak = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> queries = new ConcurrentHashMap<>();
    private final AtomicInteger held = new AtomicInteger();
    /** Associations whose count has been given back (at the end of their query, or when they ended without one). */
    private final Set<Association> ended = ConcurrentHashMap.newKeySet();
    private final Runnable onQuery;
    private final DicomServer server;

    /** {@code onQuery} runs as each query to {@code heldAe} arrives (the test samples the relay's threads there). */
    HoldingFindScp(String heldAe, Runnable onQuery) throws IOException {
        this.heldAe = heldAe;
        this.onQuery = onQuery;
        ApplicationEntity ae = new ApplicationEntity(heldAe).accept(STUDY_ROOT_FIND, "1.2.840.10008.1.2", "1.2.840.10008.1.2.1")
                .acceptAnyCalledAeTitle(true);
        DimseServices services = new DimseServices().onFind(this::find);
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

    private void find(Association as, DimseServices.QueryRequest rq, org.dicomrelay.dicom.net.service.Responder responder) throws IOException {
        try {
            String patientId = rq.identifier().getString(PATIENT_ID);
            counter(queries, String.valueOf(patientId)).incrementAndGet();
            if (heldAe.equals(as.calledAeTitle())) {
                onQuery.run();
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
            Attributes match = new Attributes();
            match.setString(QUERY_RETRIEVE_LEVEL, VR.CS, "STUDY");
            match.setString(PATIENT_ID, VR.LO, patientId);
            responder.match(match);
        } finally {
            end(as);
        }
    }

    private void end(Association as) {
        if (ended.add(as)) counter(open, as.calledAeTitle()).decrementAndGet();
    }

    private static AtomicInteger counter(Map<String, AtomicInteger> m, String key) {
        return m.computeIfAbsent(key, k -> new AtomicInteger());
    }

    int port() { return server.port(); }

    /** Lets every held query, and those still to come, answer. */
    void release() { released.countDown(); }

    /** Queries to the held AE waiting for {@link #release} now. */
    int held() { return held.get(); }

    int open(String calledAe) { return counter(open, calledAe).get(); }

    int peak(String calledAe) { return counter(peak, calledAe).get(); }

    /** How many queries carried each Patient ID. */
    Map<String, Integer> queriesByPatientId() {
        Map<String, Integer> m = new java.util.TreeMap<>();
        queries.forEach((k, v) -> m.put(k, v.get()));
        return m;
    }

    @Override public void close() {
        release();
        server.close();
    }
}
