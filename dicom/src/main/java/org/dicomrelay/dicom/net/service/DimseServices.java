package org.dicomrelay.dicom.net.service;

import org.dicomrelay.dicom.data.Attributes;
import org.dicomrelay.dicom.data.TransferSyntax;
import org.dicomrelay.dicom.data.VR;
import org.dicomrelay.dicom.io.DataSetReader;
import org.dicomrelay.dicom.io.DicomInputStream;
import org.dicomrelay.dicom.net.Association;
import org.dicomrelay.dicom.net.FailureText;
import org.dicomrelay.dicom.net.RequestHandler;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Routes DIMSE requests to service handlers (PS3.7 §9): C-ECHO is answered here; C-STORE runs on
 * the reading thread with the data set as a stream; C-FIND, C-MOVE and C-GET run on a worker
 * thread per association, so that the reading thread stays free to receive C-CANCEL.
 */
public final class DimseServices implements RequestHandler {
    private static final System.Logger LOG = System.getLogger(DimseServices.class.getName());

    private EchoHandler echo;
    private StoreHandler store;
    private QueryHandler find, move, get;
    private final Map<Association, ExecutorService> workers = new ConcurrentHashMap<>();
    private final Map<Association, Map<Integer, AtomicBoolean>> running = new ConcurrentHashMap<>();

    public DimseServices onEcho(EchoHandler h) { echo = h; return this; }

    public DimseServices onStore(StoreHandler h) { store = h; return this; }

    /** Answers a C-ECHO (a relay verifies the remote device); without one, C-ECHO succeeds here. */
    @FunctionalInterface
    public interface EchoHandler {
        int echo(Association as, Attributes command) throws IOException;
    }

    public DimseServices onFind(QueryHandler h) { find = h; return this; }

    public DimseServices onMove(QueryHandler h) { move = h; return this; }

    public DimseServices onGet(QueryHandler h) { get = h; return this; }

    /** Stores one instance: returns the C-STORE-RSP status (0000 success, Bxxx warning, Axxx/Cxxx failure). */
    @FunctionalInterface
    public interface StoreHandler {
        int store(Association as, StoreRequest rq, InputStream data) throws IOException;
    }

    public record StoreRequest(int presentationContextId, Attributes command, String sopClassUid, String sopInstanceUid,
                               TransferSyntax transferSyntax) {
        public String moveOriginatorAeTitle() { return command.getString(0x00001030); }

        public int moveOriginatorMessageId() { return command.getInt(0x00001031, -1); }
    }

    /**
     * Runs a C-FIND, C-MOVE or C-GET: send pending responses through {@code responder} as matches
     * or sub-operations progress, and return (or send) the final one; check {@code cancelled}.
     */
    @FunctionalInterface
    public interface QueryHandler {
        void run(Association as, QueryRequest rq, Responder responder) throws IOException;
    }

    public record QueryRequest(int presentationContextId, Attributes command, Attributes identifier, AtomicBoolean cancelled) {
        public String sopClassUid() { return command.getString(0x00000002); }

        public int messageId() { return command.getInt(0x00000110, -1); }

        public String moveDestination() { return command.getString(0x00000600); }

        public boolean isCancelled() { return cancelled.get(); }
    }

    @Override public void onRequest(Association as, int pcid, Attributes command, InputStream data) throws IOException {
        int field = command.getInt(0x00000100, -1);
        switch (field) {
            case 0x0030 -> onEcho(as, pcid, command);
            case 0x0001 -> onStore(as, pcid, command, data);
            case 0x0020 -> onQuery(as, pcid, command, data, find, 0x8020);
            case 0x0021 -> onQuery(as, pcid, command, data, move, 0x8021);
            case 0x0010 -> onQuery(as, pcid, command, data, get, 0x8010);
            default -> {
                LOG.log(System.Logger.Level.WARNING, "unsupported DIMSE command 0x" + Integer.toHexString(field) + " from " + as.callingAeTitle());
                // 0211: unrecognized operation (PS3.7 §C.5.6)
                as.send(pcid, Responder.response(command, field | 0x8000, 0x0211), null);
            }
        }
    }

    /** A handler's failure is a status with an Error Comment, never an aborted association (PS3.7 §9.3.5). */
    private void onEcho(Association as, int pcid, Attributes command) throws IOException {
        int status;
        Attributes comment = null;
        try {
            status = echo == null ? 0x0000 : echo.echo(as, command);
        } catch (org.dicomrelay.dicom.net.AssociationException e) {
            throw e;
        } catch (DicomServiceException e) {
            status = e.status();
            comment = e.commentAttributes();
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "C-ECHO from " + as.callingAeTitle() + " failed: " + FailureText.of(e));
            status = 0x0110; // processing failure
            comment = DicomServiceException.commentAttributes(FailureText.of(e));
        }
        Attributes rsp = Responder.response(command, 0x8030, status);
        if (comment != null) comment.forEach(rsp::set);
        as.send(pcid, rsp, null);
    }

    private void onStore(Association as, int pcid, Attributes command, InputStream data) throws IOException {
        int status;
        Attributes comment = null;
        if (store == null) {
            status = 0x0122; // SOP class not supported
        } else if (data == null) {
            status = 0xA900; // no data set: does not match SOP class
        } else {
            StoreRequest rq = new StoreRequest(pcid, command, command.getString(0x00000002), command.getString(0x00001000),
                    as.transferSyntax(pcid));
            try {
                status = store.store(as, rq, data);
            } catch (org.dicomrelay.dicom.net.AssociationException e) {
                throw e;
            } catch (DicomServiceException e) {
                status = e.status();
                comment = e.commentAttributes();
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "C-STORE of " + rq.sopInstanceUid() + " failed: " + FailureText.of(e));
                status = 0xA700; // out of resources: the storage could not complete
            }
        }
        Attributes rsp = Responder.response(command, 0x8001, status);
        if (comment != null) comment.forEach(rsp::set);
        // Absent in a malformed request: echoing it would write the text "null" as a UID.
        String iuid = command.getString(0x00001000);
        if (iuid != null) rsp.setString(0x00001000, VR.UI, iuid);
        as.send(pcid, rsp, null);
    }

    private void onQuery(Association as, int pcid, Attributes command, InputStream data, QueryHandler h, int rspField) throws IOException {
        if (h == null) {
            as.send(pcid, Responder.response(command, rspField, 0x0122), null);
            return;
        }
        Attributes identifier = data == null ? new Attributes()
                : new DataSetReader(new DicomInputStream(data, as.transferSyntax(pcid))).maxMemory(4L << 20).readAll();
        AtomicBoolean cancelled = new AtomicBoolean();
        int msgId = command.getInt(0x00000110, -1);
        running.computeIfAbsent(as, a -> new ConcurrentHashMap<>()).put(msgId, cancelled);
        QueryRequest rq = new QueryRequest(pcid, command, identifier, cancelled);
        Responder responder = new Responder(as, pcid, command, rspField);
        workers.computeIfAbsent(as, a -> Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "dimse-" + a.callingAeTitle());
            t.setDaemon(true);
            return t;
        })).execute(() -> {
            try {
                h.run(as, rq, responder);
                responder.finishIfOpen(cancelled.get() ? 0xFE00 : 0x0000);
            } catch (DicomServiceException e) {
                try {
                    responder.finishIfOpen(e.status(), e.commentAttributes());
                } catch (IOException ignored) {
                    // association gone: nothing to report to
                }
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "operation " + msgId + " from " + as.callingAeTitle() + " failed: " + FailureText.of(e));
                try {
                    responder.finishIfOpen(0xC000 | 0x0001, DicomServiceException.commentAttributes(FailureText.of(e))); // unable to process
                } catch (IOException ignored) {
                    // association gone: nothing to report to
                }
            } finally {
                Map<Integer, AtomicBoolean> m = running.get(as);
                if (m != null) m.remove(msgId);
            }
        });
    }

    @Override public void onCancel(Association as, int messageIdBeingRespondedTo) {
        Map<Integer, AtomicBoolean> m = running.get(as);
        AtomicBoolean flag = m == null ? null : m.get(messageIdBeingRespondedTo);
        if (flag != null) flag.set(true);
    }

    @Override public void onClose(Association as) {
        Map<Integer, AtomicBoolean> m = running.remove(as);
        if (m != null) m.values().forEach(f -> f.set(true));
        ExecutorService w = workers.remove(as);
        if (w != null) w.shutdown();
    }
}
