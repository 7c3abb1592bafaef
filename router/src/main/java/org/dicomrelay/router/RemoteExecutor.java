package org.dicomrelay.router;

import org.dicomrelay.dicom.data.TransferSyntax;
import org.dicomrelay.dicom.net.DimseResponse;
import org.dicomrelay.dicom.net.PendingRequest;
import org.dicomrelay.dicom.net.service.QueryRetrieveModel;
import org.dicomrelay.dicom.net.service.QueryRetrieveScu;
import org.dicomrelay.dicom.net.service.StorageSource;
import org.dicomrelay.dicom.net.service.Verification;
import org.dicomrelay.router.config.Device;
import org.dicomrelay.router.config.RouterConfig;
import org.dicomrelay.router.config.Service;
import org.dicomrelay.router.link.Courier;
import org.dicomrelay.router.link.Frame;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
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

    private final RouterConfig config;
    private final Courier courier;
    private final InboundInstances inbound;
    private final StoreAssociations stores;
    /** Operations running here that a CANCEL frame may reach. */
    private final Map<String, Runnable> cancels = new ConcurrentHashMap<>();
    /** CANCELs that came before their operation could take them (it was still connecting to the PACS). */
    private final java.util.Set<String> earlyCancels = ConcurrentHashMap.newKeySet();

    RemoteExecutor(RouterConfig config, Courier courier, InboundInstances inbound, StoreAssociations stores) {
        this.config = config;
        this.courier = courier;
        this.inbound = inbound;
        this.stores = stores;
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
            default -> LOG.log(System.Logger.Level.WARNING, "unexpected " + f.type() + " from router " + from);
        }
    }

    private Device exported(String from, Frame f, Service s) {
        String ae = f.string("calledAe");
        Device d = config.device(ae).orElse(null);
        if (d == null || !d.exported() || !d.offers(s)) {
            LOG.log(System.Logger.Level.WARNING, "refused " + s + " from router " + from + " (" + f.string("callingAe") + ") to " + ae
                    + ": not exported for that service");
            return null;
        }
        return d;
    }

    private void answer(String to, Frame f) {
        try {
            courier.send(to, f, null);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "could not answer router " + to + ": " + e.getMessage());
        }
    }

    private void echo(String from, Frame f) {
        Device d = exported(from, f, Service.ECHO);
        int status = 0x0124;
        if (d != null) {
            try {
                status = Verification.echo(d.host(), d.port(), d.aeTitle(), config.aeTitle(), Router.scuOptions());
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "C-ECHO to " + d.aeTitle() + " failed: " + e.getMessage());
                status = 0x0110;
            }
        }
        answer(from, Frame.of(Frame.Type.ECHO_RSP, f.operationId()).with("status", status));
    }

    private void store(String from, Frame f, InputStream payload) throws IOException {
        Device d = exported(from, f, Service.STORE);
        if (d == null || payload == null) {
            answer(from, Frame.of(Frame.Type.STORE_RSP, f.operationId()).with("status", 0x0124));
            return;
        }
        Path tmp = Files.createTempFile(config.state(), "incoming-", ".dcm");
        int status;
        String error = null;
        try {
            Files.copy(payload, tmp, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            StorageSource src = new StorageSource(tmp, f.string("sopClassUid"), f.string("sopInstanceUid"),
                    TransferSyntax.of(f.string("transferSyntaxUid")), 0, false);
            DimseResponse rsp = stores.store(d, src);
            status = rsp.status();
            error = rsp.command().getString(0x00000902);
        } catch (IOException | RuntimeException e) {
            status = 0xA700;
            error = e.getMessage();
            LOG.log(System.Logger.Level.WARNING, "C-STORE of " + f.string("sopInstanceUid") + " to " + d.aeTitle() + " failed: " + e);
        } finally {
            Files.deleteIfExists(tmp);
        }
        answer(from, Frame.of(Frame.Type.STORE_RSP, f.operationId()).with("status", status).with("error", error));
    }

    private QueryRetrieveScu open(Device d, String sopClass) throws IOException {
        QueryRetrieveModel model = QueryRetrieveModel.of(sopClass);
        if (model == null) throw new IOException("unsupported query/retrieve SOP class " + sopClass);
        return QueryRetrieveScu.open(d.host(), d.port(), d.aeTitle(), config.aeTitle(), model, List.of(), null, Router.scuOptions());
    }

    private void find(String from, Frame f) {
        Device d = exported(from, f, Service.FIND);
        if (d == null) {
            answer(from, Frame.of(Frame.Type.FIND_RSP, f.operationId()).with("status", 0x0124));
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
                    LOG.log(System.Logger.Level.WARNING, "C-CANCEL to " + d.aeTitle() + " failed: " + e.getMessage());
                }
            });
            if (earlyCancels.remove(f.operationId())) cancels.get(f.operationId()).run();
            DimseResponse r;
            while ((r = p.next()) != null) {
                // The PACS may have sent every match before the cancel came: those still unread here are not
                // sent through the cloud (the requesting router withholds matches after a cancel anyway).
                if (r.isPending() && cancelled.get()) continue;
                Frame rsp = Frame.of(Frame.Type.FIND_RSP, f.operationId()).with("status", r.status());
                if (r.isPending() && r.data() != null) rsp.with("identifier", Json.of(r.data()));
                answer(from, rsp);
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "C-FIND at " + d.aeTitle() + " failed: " + e.getMessage());
            answer(from, Frame.of(Frame.Type.FIND_RSP, f.operationId()).with("status", 0xA700).with("error", e.getMessage()));
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
            answer(from, Frame.of(rspType, f.operationId()).with("status", 0x0124));
            return;
        }
        QueryRetrieveModel model = QueryRetrieveModel.of(f.string("sopClassUid"));
        java.util.concurrent.atomic.AtomicInteger remaining = new java.util.concurrent.atomic.AtomicInteger(-1);
        int msgId = -1;
        InboundInstances.Receiver receiver = null;
        try (QueryRetrieveScu scu = QueryRetrieveScu.open(d.host(), d.port(), d.aeTitle(), config.aeTitle(),
                model == null ? QueryRetrieveModel.STUDY_ROOT : model, List.of(), null, Router.scuOptions())) {
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
                    LOG.log(System.Logger.Level.WARNING, "C-CANCEL to " + d.aeTitle() + " failed: " + e.getMessage());
                }
            });
            if (earlyCancels.remove(f.operationId())) cancels.get(f.operationId()).run();
            DimseResponse r, last = null;
            while ((r = p.next()) != null) {
                last = r;
                if (r.isPending()) remaining.set(r.command().getInt(0x00001020, -1));
            }
            Frame rsp = Frame.of(rspType, f.operationId()).with("status", last == null ? 0xA702 : last.status())
                    .with("failed", last == null ? 0 : Math.max(0, last.command().getInt(0x00001022, 0)));
            if (last != null && last.data() != null) {
                List<String> uids = new ArrayList<>(List.of(last.data().getStrings(0x00080058)));
                if (!uids.isEmpty()) rsp.with("failedUids", uids);
            }
            answer(from, rsp);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, f.type() + " at " + d.aeTitle() + " failed: " + e.getMessage());
            answer(from, Frame.of(rspType, f.operationId()).with("status", 0xA702).with("error", e.getMessage()));
        } finally {
            cancels.remove(f.operationId());
            earlyCancels.remove(f.operationId());
            if (msgId > 0) inbound.done(d.aeTitle(), msgId, receiver);
        }
    }

}
