package org.dicomrelay.router;

import org.dicomrelay.dicom.data.TransferSyntax;
import org.dicomrelay.dicom.net.DimseResponse;
import org.dicomrelay.dicom.net.FailureText;
import org.dicomrelay.dicom.net.PendingRequest;
import org.dicomrelay.dicom.net.dimse.Status;
import org.dicomrelay.dicom.net.service.QueryRetrieveModel;
import org.dicomrelay.dicom.net.service.QueryRetrieveScu;
import org.dicomrelay.dicom.net.service.StorageSource;
import org.dicomrelay.dicom.net.service.Verification;
import org.dicomrelay.relay.log.RepeatingLog;
import org.dicomrelay.router.config.Device;
import org.dicomrelay.router.config.RouterConfig;
import org.dicomrelay.router.config.Service;
import org.dicomrelay.router.link.Courier;
import org.dicomrelay.router.link.Failure;
import org.dicomrelay.router.link.Frame;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The performing side of the relay (router B): carries out what another router asks of an AE
 * this router exports, against the local device, and answers. It checks again that the AE is
 * exported and allows the service: the other router's routing table is not trusted for that.
 */
final class RemoteExecutor {
    private static final System.Logger LOG = System.getLogger(RemoteExecutor.class.getName());
    /** Error Comment (0000,0902) of a response. */
    private static final int ERROR_COMMENT = 0x00000902;
    /** A702: what a retrieve answers when it could not be performed. */
    private static final int UNABLE_TO_PERFORM = Status.OUT_OF_RESOURCES_UNABLE_TO_PERFORM_SUB_OPERATIONS.code();

    private final RouterConfig config;
    private final Courier courier;
    private final InboundInstances inbound;
    private final StoreAssociations stores;
    private final PeerAccess access;
    private final DeviceOptions devices;
    /** Operations running here that a CANCEL frame may reach. */
    private final Map<String, Runnable> cancels = new ConcurrentHashMap<>();
    /** CANCELs that came before their operation could take them (it was still connecting to the PACS). */
    private final java.util.Set<String> earlyCancels = ConcurrentHashMap.newKeySet();
    /** Failures of a local device, per device and failure class: a PACS down for an hour is a few lines, not one per object. */
    private final RepeatingLog failures = new RepeatingLog(LOG, Duration.ofMinutes(1));
    /** Requests for an AE or a service this router does not export, per router, AE and service. */
    private final RepeatingLog refusals = new RepeatingLog(LOG, Duration.ofMinutes(1));
    /** Answers that could not be sent, per router. */
    private final RepeatingLog unanswered = new RepeatingLog(LOG, Duration.ofMinutes(1));

    RemoteExecutor(RouterConfig config, Courier courier, InboundInstances inbound, StoreAssociations stores) {
        this(config, courier, inbound, stores, PeerAccess.exportsOnly(), DeviceOptions.plain(Router.scuOptions()));
    }

    RemoteExecutor(RouterConfig config, Courier courier, InboundInstances inbound, StoreAssociations stores, PeerAccess access,
                   DeviceOptions devices) {
        this.config = config;
        this.courier = courier;
        this.inbound = inbound;
        this.stores = stores;
        this.access = access;
        this.devices = devices;
    }

    void onFrame(String from, Frame f, InputStream payload) throws IOException {
        switch (f.type()) {
            case CANCEL -> {
                Runnable c = cancels.get(f.operationId());
                if (c != null) c.run();
                else if (earlyCancels.size() < 10_000) earlyCancels.add(f.operationId()); // bounded: late cancels of ended operations
            }
            case ECHO_RQ -> echo(from, f);
            case STORE_RQ -> store(from, f, payload);
            case FIND_RQ -> find(from, f);
            case MOVE_RQ, GET_RQ -> retrieve(from, f);
            default -> LOG.log(System.Logger.Level.WARNING, "unexpected " + f.type() + " from router " + from + ": ignored");
        }
    }

    /**
     * The device, if it is exported for the service and the access matrix grants it to the
     * sending router ({@code from}: the envelope's signed sender); else null, logged. A C-MOVE's
     * destination is the sending router itself (the instances go back to it only), so the grant
     * of move to that router covers it.
     */
    private Device exported(String from, Frame f, Service s) {
        String ae = f.string("calledAe");
        Device d = config.device(ae).orElse(null);
        if (d == null || !d.exported() || !d.offers(s)) {
            refusals.occurred(from + " " + ae + " " + s, System.Logger.Level.WARNING, "refused " + s + " from router " + from + " ("
                    + f.string("callingAe") + ") to " + ae + ": not exported for that service");
            return null;
        }
        if (!access.allows(from, ae, s)) {
            refusals.occurred(from + " " + ae + " " + s, System.Logger.Level.WARNING, "refused " + s + " from router " + from + " ("
                    + f.string("callingAe") + ") to " + ae + ": router " + from + " is not granted " + s + " on " + ae
                    + " (access matrix at the Bridge), answered 0124H");
            return null;
        }
        return d;
    }

    /** 0124 (Refused: Not authorized, PS3.7 Annex C), permanent: what {@link #exported} refused. */
    private LocalFailure refusal(String from, Frame f, Service s) {
        String ae = f.string("calledAe");
        Device d = config.device(ae).orElse(null);
        return d == null || !d.exported() || !d.offers(s) ? LocalFailure.notExported(ae, s) : LocalFailure.notGranted(from, ae, s);
    }

    private void answer(String to, Frame f) {
        try {
            courier.send(to, f, null);
        } catch (IOException e) {
            unanswered.occurred(to, System.Logger.Level.WARNING, "could not answer router " + to + ": " + FailureText.of(e));
            return;
        }
        unanswered.cleared(to, "router " + to + " can be answered again");
    }

    /** An answer that says it failed, why, and whether retrying can help; logged once per device and cause kind. */
    private void fail(String to, Frame answer, Device d, String what, LocalFailure why) {
        failures.occurred(d.aeTitle() + " " + why.failure(), System.Logger.Level.WARNING, what + " failed (" + why.failure().wire()
                + ", for router " + to + "): " + why.error());
        answer(to, why.applyTo(answer));
    }

    private void echo(String from, Frame f) {
        Frame rsp = Frame.of(Frame.Type.ECHO_RSP, f.operationId());
        Device d = exported(from, f, Service.ECHO);
        if (d == null) {
            answer(from, refusal(from, f, Service.ECHO).applyTo(rsp));
            return;
        }
        int status;
        try {
            status = Verification.echo(d.host(), d.port(), d.aeTitle(), config.aeTitle(), devices.of(d));
        } catch (IOException | RuntimeException e) {
            fail(from, rsp, d, "C-ECHO to " + d.aeTitle(), LocalFailure.of(d, e, Status.PROCESSING_FAILURE.code()));
            return;
        }
        if (Status.of(status).type() == Status.Type.FAILURE) fail(from, rsp, d, "C-ECHO to " + d.aeTitle(), LocalFailure.ofStatus(d, status, null));
        else answer(from, rsp.with(Frame.STATUS, status));
    }

    private void store(String from, Frame f, InputStream payload) throws IOException {
        Frame rsp = Frame.of(Frame.Type.STORE_RSP, f.operationId());
        Device d = exported(from, f, Service.STORE);
        if (d == null) {
            answer(from, refusal(from, f, Service.STORE).applyTo(rsp));
            return;
        }
        String what = "C-STORE of " + f.string("sopInstanceUid") + " to " + d.aeTitle();
        if (payload == null) {
            fail(from, rsp, d, what, LocalFailure.notReceived(new IOException("the request came without its object")));
            return;
        }
        // Removed whatever happens here; one left by a crash is removed at the next start (IncomingFiles).
        Path tmp;
        try {
            tmp = IncomingFiles.create(config.state());
        } catch (IOException e) {
            fail(from, rsp, d, what, LocalFailure.notReceived(e));
            return;
        }
        try {
            try {
                IncomingFiles.fill(tmp, payload);
            } catch (IOException e) {
                fail(from, rsp, d, what, LocalFailure.notReceived(e));
                return;
            }
            DimseResponse r;
            try {
                StorageSource src = new StorageSource(tmp, f.string("sopClassUid"), f.string("sopInstanceUid"),
                        TransferSyntax.of(f.string("transferSyntaxUid")), 0, false);
                r = stores.store(d, src);
            } catch (IOException | RuntimeException e) {
                fail(from, rsp, d, what, LocalFailure.of(d, e, Status.OUT_OF_RESOURCES.code()));
                return;
            }
            String comment = r.command().getString(ERROR_COMMENT);
            if (Status.of(r.status()).type() == Status.Type.FAILURE) fail(from, rsp, d, what, LocalFailure.ofStatus(d, r.status(), comment));
            else {
                failures.cleared(d.aeTitle() + " " + Failure.TRANSIENT, d.aeTitle() + " stores again");
                answer(from, rsp.with(Frame.STATUS, r.status()).with(Frame.ERROR, comment));
            }
        } finally {
            IncomingFiles.delete(tmp);
        }
    }

    private QueryRetrieveScu open(Device d, String sopClass) throws IOException {
        return QueryRetrieveScu.open(d.host(), d.port(), d.aeTitle(), config.aeTitle(), QueryRetrieveModel.of(sopClass), List.of(), null,
                devices.of(d));
    }

    private void find(String from, Frame f) {
        Device d = exported(from, f, Service.FIND);
        if (d == null) {
            answer(from, refusal(from, f, Service.FIND).applyTo(Frame.of(Frame.Type.FIND_RSP, f.operationId())));
            return;
        }
        if (QueryRetrieveModel.of(f.string("sopClassUid")) == null) {
            answer(from, new LocalFailure(Status.SOP_CLASS_NOT_SUPPORTED.code(), "unsupported query/retrieve SOP class " + f.string("sopClassUid"),
                    Failure.PERMANENT).applyTo(Frame.of(Frame.Type.FIND_RSP, f.operationId())));
            return;
        }
        try (QueryRetrieveScu scu = open(d, f.string("sopClassUid"))) {
            PendingRequest p = scu.find(Json.parse(f.string("identifier")));
            java.util.concurrent.atomic.AtomicBoolean cancelled = new java.util.concurrent.atomic.AtomicBoolean();
            cancels.put(f.operationId(), () -> {
                cancelled.set(true);
                try {
                    p.cancel(scu.contextOf("find"));
                } catch (IOException e) {
                    LOG.log(System.Logger.Level.WARNING, "C-CANCEL to " + d.aeTitle() + " failed: " + FailureText.of(e));
                }
            });
            if (earlyCancels.remove(f.operationId())) cancels.get(f.operationId()).run();
            DimseResponse r;
            while ((r = p.next()) != null) {
                // The PACS may have sent every match before the cancel came: those still unread here are not
                // sent through the cloud (the requesting router withholds matches after a cancel anyway).
                if (r.isPending() && cancelled.get()) continue;
                Frame rsp = Frame.of(Frame.Type.FIND_RSP, f.operationId()).with(Frame.STATUS, r.status());
                if (r.isPending() && r.data() != null) rsp.with("identifier", Json.of(r.data()));
                if (Status.of(r.status()).type() == Status.Type.FAILURE) {
                    rsp.with(Frame.ERROR, LocalFailure.ofStatus(d, r.status(), r.command().getString(ERROR_COMMENT)).error());
                }
                answer(from, rsp);
            }
        } catch (IOException | RuntimeException e) {
            fail(from, Frame.of(Frame.Type.FIND_RSP, f.operationId()), d, "C-FIND at " + d.aeTitle(),
                    LocalFailure.of(d, e, Status.OUT_OF_RESOURCES.code()));
        } finally {
            cancels.remove(f.operationId());
            earlyCancels.remove(f.operationId());
        }
    }

    /** C-MOVE and C-GET: we C-MOVE from the PACS to ourselves and pass each instance on as it arrives. */
    private void retrieve(String from, Frame f) {
        Frame.Type rspType = f.type() == Frame.Type.MOVE_RQ ? Frame.Type.MOVE_RSP : Frame.Type.GET_RSP;
        Device d = exported(from, f, f.type() == Frame.Type.MOVE_RQ ? Service.MOVE : Service.GET);
        if (d == null) {
            answer(from, refusal(from, f, f.type() == Frame.Type.MOVE_RQ ? Service.MOVE : Service.GET)
                    .applyTo(Frame.of(rspType, f.operationId())));
            return;
        }
        QueryRetrieveModel model = QueryRetrieveModel.of(f.string("sopClassUid"));
        java.util.concurrent.atomic.AtomicInteger remaining = new java.util.concurrent.atomic.AtomicInteger(-1);
        int msgId = -1;
        InboundInstances.Receiver receiver = null;
        try (QueryRetrieveScu scu = QueryRetrieveScu.open(d.host(), d.port(), d.aeTitle(), config.aeTitle(),
                model == null ? QueryRetrieveModel.STUDY_ROOT : model, List.of(), null, devices.of(d))) {
            receiver = (rq, data) -> {
                Frame inst = Frame.of(Frame.Type.INSTANCE, f.operationId()).with("sopClassUid", rq.sopClassUid())
                        .with("sopInstanceUid", rq.sopInstanceUid()).with("transferSyntaxUid", rq.transferSyntax().uid())
                        .with("remaining", remaining.get() > 0 ? remaining.get() - 1 : -1);
                courier.send(from, inst, out -> data.transferTo(out));
                return 0x0000;
            };
            msgId = inbound.expect(d.aeTitle(), receiver);
            PendingRequest p = scu.move(Json.parse(f.string("identifier")), config.aeTitle(), msgId);
            cancels.put(f.operationId(), () -> {
                try {
                    p.cancel(scu.contextOf("move"));
                } catch (IOException e) {
                    LOG.log(System.Logger.Level.WARNING, "C-CANCEL to " + d.aeTitle() + " failed: " + FailureText.of(e));
                }
            });
            if (earlyCancels.remove(f.operationId())) cancels.get(f.operationId()).run();
            DimseResponse r, last = null;
            while ((r = p.next()) != null) {
                last = r;
                if (r.isPending()) remaining.set(r.command().getInt(0x00001020, -1));
            }
            Frame rsp = Frame.of(rspType, f.operationId()).with(Frame.STATUS, last == null ? UNABLE_TO_PERFORM : last.status())
                    .with("failed", last == null ? 0 : Math.max(0, last.command().getInt(0x00001022, 0)));
            if (last == null) rsp.with(Frame.ERROR, d.aeTitle() + " at " + d.host() + ":" + d.port() + " ended the C-MOVE without a final response");
            else if (Status.of(last.status()).type() == Status.Type.FAILURE) {
                rsp.with(Frame.ERROR, LocalFailure.ofStatus(d, last.status(), last.command().getString(ERROR_COMMENT)).error());
            }
            if (last != null && last.data() != null) {
                List<String> uids = new ArrayList<>(List.of(last.data().getStrings(0x00080058)));
                if (!uids.isEmpty()) rsp.with("failedUids", uids);
            }
            answer(from, rsp);
        } catch (IOException | RuntimeException e) {
            fail(from, Frame.of(rspType, f.operationId()), d, f.type() + " at " + d.aeTitle(), LocalFailure.of(d, e, UNABLE_TO_PERFORM));
        } finally {
            cancels.remove(f.operationId());
            earlyCancels.remove(f.operationId());
            if (msgId > 0) inbound.done(d.aeTitle(), msgId, receiver);
        }
    }

}
