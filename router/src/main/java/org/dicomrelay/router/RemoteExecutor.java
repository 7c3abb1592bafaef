package org.dicomrelay.router;

import org.dicomrelay.dicom.data.TransferSyntax;
import org.dicomrelay.dicom.net.DimseResponse;
import org.dicomrelay.dicom.net.FailureText;
import org.dicomrelay.dicom.net.PendingRequest;
import org.dicomrelay.dicom.net.dimse.Status;
import org.dicomrelay.dicom.net.service.QueryRetrieveModel;
import org.dicomrelay.dicom.net.service.QueryRetrieveScu;
import org.dicomrelay.dicom.net.service.StreamSource;
import org.dicomrelay.dicom.net.service.Verification;
import org.dicomrelay.relay.log.RepeatingLog;
import org.dicomrelay.router.config.Device;
import org.dicomrelay.router.config.RouterConfig;
import org.dicomrelay.router.config.Service;
import org.dicomrelay.router.link.Courier;
import org.dicomrelay.router.link.Failure;
import org.dicomrelay.router.link.LinkMessage;
import org.dicomrelay.router.link.PayloadCodec;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
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
    /** Objects up to this size are read whole before the C-STORE starts (at most one per running store: bounded). */
    static final int WHOLE_IN_MEMORY_BYTES = 1024 * 1024;

    private final RouterConfig config;
    private final Courier courier;
    private final InboundInstances inbound;
    private final StoreAssociations stores;
    private final QueryAssociations queries;
    private final PeerAccess access;
    private final LocalDevices devices;
    /** Operations running here that a CANCEL of the same sending router may reach ({@link #key}). */
    private final Map<String, Runnable> cancels = new ConcurrentHashMap<>();
    /** CANCELs that came before their operation could take them (it was still connecting to the PACS). */
    private final java.util.Set<String> earlyCancels = ConcurrentHashMap.newKeySet();
    /** Failures of a local device, per device and failure class: a PACS down for an hour is a few lines, not one per object. */
    private final RepeatingLog failures = new RepeatingLog(LOG, Duration.ofMinutes(1));
    /** Requests for an AE or a service this router does not export, per router, AE and service. */
    private final RepeatingLog refusals = new RepeatingLog(LOG, Duration.ofMinutes(1));
    /** Answers that could not be sent, per router. */
    private final RepeatingLog unanswered = new RepeatingLog(LOG, Duration.ofMinutes(1));

    RemoteExecutor(RouterConfig config, Courier courier, InboundInstances inbound, StoreAssociations stores, QueryAssociations queries) {
        this(config, courier, inbound, stores, queries, PeerAccess.exportsOnly(), LocalDevices.of(config));
    }

    RemoteExecutor(RouterConfig config, Courier courier, InboundInstances inbound, StoreAssociations stores, QueryAssociations queries,
                   PeerAccess access, LocalDevices devices) {
        this.config = config;
        this.courier = courier;
        this.inbound = inbound;
        this.stores = stores;
        this.queries = queries;
        this.access = access;
        this.devices = devices;
    }

    /** An operation as its sender names it: another router's CANCEL cannot reach it, whatever id it guesses. */
    private static String key(String from, String operationId) {
        return from + "/" + operationId;
    }

    /** A request or a cancel from router {@code from} (authenticated by the courier). */
    void onMessage(String from, LinkMessage m, InputStream payload) throws IOException {
        if (m instanceof LinkMessage.Cancel c) {
            Runnable cancel = cancels.get(key(from, c.operationId()));
            if (cancel != null) cancel.run();
            else if (earlyCancels.size() < 10_000) earlyCancels.add(key(from, c.operationId())); // bounded: late cancels of ended operations
        } else if (m instanceof LinkMessage.EchoRq rq) {
            echo(from, rq);
        } else if (m instanceof LinkMessage.StoreRq rq) {
            store(from, rq, payload);
        } else if (m instanceof LinkMessage.FindRq rq) {
            find(from, rq);
        } else if (m instanceof LinkMessage.RetrieveRq rq) {
            retrieve(from, rq);
        } else {
            LOG.log(System.Logger.Level.WARNING, "unexpected " + m.type() + " from router " + from + ": ignored");
        }
    }

    /**
     * The device, if it is exported for the service and the access matrix grants it to the
     * sending router ({@code from}: the envelope's signed sender); else null, logged, and the
     * request answered 0124 (Refused: Not authorized, PS3.7 Annex C), permanent. A C-MOVE's
     * destination is the sending router itself (the instances go back to it only), so the grant
     * of move to that router covers it.
     */
    private Device exported(String from, LinkMessage.Request f, Service s) {
        String ae = f.calledAe();
        Device d = devices.find(ae).orElse(null);
        if (d == null || !d.exported() || !d.offers(s)) {
            refusals.occurred(from + " " + ae + " " + s, System.Logger.Level.WARNING, "refused " + s + " from router " + from + " ("
                    + f.callingAe() + ") to " + ae + ": not exported for that service");
            answer(from, LocalFailure.notExported(ae, s).answer(f));
            return null;
        }
        if (!access.allows(from, ae, s)) {
            refusals.occurred(from + " " + ae + " " + s, System.Logger.Level.WARNING, "refused " + s + " from router " + from + " ("
                    + f.callingAe() + ") to " + ae + ": router " + from + " is not granted " + s + " on " + ae
                    + " (access matrix at the Bridge), answered 0124H");
            answer(from, LocalFailure.notGranted(from, ae, s).answer(f));
            return null;
        }
        return d;
    }

    private void answer(String to, LinkMessage.Answer f) {
        try {
            courier.send(to, f, null);
        } catch (IOException e) {
            unanswered.occurred(to, System.Logger.Level.WARNING, "could not answer router " + to + ": " + FailureText.of(e));
            return;
        }
        unanswered.cleared(to, "router " + to + " can be answered again");
    }

    /** An answer that says it failed, why, and whether retrying can help; logged once per device and cause kind. */
    private void fail(String to, LinkMessage.Request request, Device d, String what, LocalFailure why) {
        fail(to, d, what, why, why.answer(request));
    }

    private void fail(String to, Device d, String what, LocalFailure why, LinkMessage.Answer answer) {
        failures.occurred(d.aeTitle() + " " + why.failure(), System.Logger.Level.WARNING, what + " failed (" + why.failure().wire()
                + ", for router " + to + "): " + why.error());
        answer(to, answer);
    }

    private void echo(String from, LinkMessage.EchoRq f) {
        Device d = exported(from, f, Service.ECHO);
        if (d == null) return;
        int status;
        try {
            status = Verification.echo(d.host(), d.port(), d.aeTitle(), config.aeTitle(), devices.options().of(d));
        } catch (IOException | RuntimeException e) {
            fail(from, f, d, "C-ECHO to " + d.aeTitle(), LocalFailure.of(d, e, Status.PROCESSING_FAILURE.code()));
            return;
        }
        if (Status.of(status).type() == Status.Type.FAILURE) fail(from, f, d, "C-ECHO to " + d.aeTitle(), LocalFailure.ofStatus(d, status, null));
        else answer(from, new LinkMessage.EchoRsp(f.operationId(), status, null, null));
    }

    /**
     * The object streams into the PACS while its bytes arrive from the cloud; no copy of it is
     * kept here. Each segment of the payload is authenticated before its bytes are read, so a
     * forged or altered segment, a payload cut short or a cloud read error fails the read midway:
     * the C-STORE is then aborted (A-ABORT, never completed), the PACS keeps nothing of it, and
     * router A hears a transient failure and sends its object again. A PACS slower than the link
     * slows the read of the cloud stream (backpressure through the association's writes): the
     * transfer takes the PACS's pace, memory stays bounded, and nothing is spooled here.
     */
    private void store(String from, LinkMessage.StoreRq f, InputStream payload) throws IOException {
        long receivedAt = System.currentTimeMillis(); // for router A's timeline of the study
        Device d = exported(from, f, Service.STORE);
        if (d == null) return;
        String what = "C-STORE of " + f.sopInstanceUid() + " to " + d.aeTitle();
        if (payload == null) {
            fail(from, f, d, what, LocalFailure.notReceived(new IOException("the request came without its object")));
            return;
        }
        // Decompressed as it streams (the codec is the frame's, authenticated with it); the limit on payloads applies to
        // what comes out, so a small payload that inflates past it is refused like a large one.
        // Up to WHOLE_IN_MEMORY_BYTES are read (and authenticated) before the PACS is called: a payload gone or refused
        // at once costs the PACS no association, and a small object, read to its authenticated end here, holds the
        // device's one association (StoreAssociations) for the time of a LAN transfer, not of its download over a WAN
        // (which made the objects for one device go one per round trip). A larger one streams on from the cloud.
        DimseResponse r;
        InputStream decoded;
        try {
            decoded = f.compression().decoder(payload, config.limits().maxPayloadBytes(), "the payload of " + f.sopInstanceUid()
                    + " from router " + from);
        } catch (IOException e) {
            fail(from, f, d, what, LocalFailure.notReceived(e));
            return;
        }
        try (decoded) {
            InputStream in;
            try {
                byte[] head = decoded.readNBytes(WHOLE_IN_MEMORY_BYTES + 1);
                in = head.length <= WHOLE_IN_MEMORY_BYTES ? new java.io.ByteArrayInputStream(head)
                        : new java.io.SequenceInputStream(new java.io.ByteArrayInputStream(head), decoded);
            } catch (IOException e) {
                fail(from, f, d, what, LocalFailure.notReceived(e));
                return;
            }
            StreamSource src = new StreamSource(in, f.sopClassUid(), f.sopInstanceUid(), TransferSyntax.of(f.transferSyntaxUid()));
            try {
                r = stores.store(d, src);
            } catch (IOException | RuntimeException e) {
                Exception cut = src.failure();
                fail(from, f, d, what, cut != null ? LocalFailure.payloadCut(d, cut) : LocalFailure.of(d, e, Status.OUT_OF_RESOURCES.code()));
                return;
            }
        }
        String comment = r.command().getString(ERROR_COMMENT);
        if (Status.of(r.status()).type() == Status.Type.FAILURE) {
            // the PACS answered: its failure, timed like a success, so router A's timeline shows where it stopped
            LocalFailure why = LocalFailure.ofStatus(d, r.status(), comment);
            LinkMessage.Answer a = why.answer(f);
            fail(from, d, what, why, new LinkMessage.StoreRsp(a.operationId(), a.status(), a.error(), a.failure(), receivedAt,
                    System.currentTimeMillis()));
        } else {
            failures.cleared(d.aeTitle() + " " + Failure.TRANSIENT, d.aeTitle() + " stores again");
            answer(from, new LinkMessage.StoreRsp(f.operationId(), r.status(), comment, null, receivedAt, System.currentTimeMillis()));
        }
    }

    private void find(String from, LinkMessage.FindRq f) {
        Device d = exported(from, f, Service.FIND);
        if (d == null) return;
        if (QueryRetrieveModel.of(f.sopClassUid()) == null) {
            answer(from, new LocalFailure(Status.SOP_CLASS_NOT_SUPPORTED.code(), "unsupported query/retrieve SOP class " + f.sopClassUid(),
                    Failure.PERMANENT).answer(f));
            return;
        }
        String op = key(from, f.operationId());
        java.util.concurrent.atomic.AtomicBoolean responded = new java.util.concurrent.atomic.AtomicBoolean();
        try {
            queries.query(d, QueryRetrieveModel.of(f.sopClassUid()), scu -> {
                PendingRequest p = scu.find(Json.parse(f.identifier()));
                java.util.concurrent.atomic.AtomicBoolean cancelled = new java.util.concurrent.atomic.AtomicBoolean();
                cancels.put(op, () -> {
                    cancelled.set(true);
                    try {
                        p.cancel(scu.contextOf("find"));
                    } catch (IOException e) {
                        LOG.log(System.Logger.Level.WARNING, "C-CANCEL to " + d.aeTitle() + " failed: " + FailureText.of(e));
                    }
                });
                if (earlyCancels.remove(op)) cancels.get(op).run();
                DimseResponse r;
                while ((r = p.next()) != null) {
                    responded.set(true);
                    // The PACS may have sent every match before the cancel came: those still unread here are not
                    // sent through the cloud (the requesting router withholds matches after a cancel anyway).
                    if (r.isPending() && cancelled.get()) continue;
                    String match = r.isPending() && r.data() != null ? Json.of(r.data()) : null;
                    String error = Status.of(r.status()).type() == Status.Type.FAILURE
                            ? LocalFailure.ofStatus(d, r.status(), r.command().getString(ERROR_COMMENT)).error() : null;
                    answer(from, new LinkMessage.FindRsp(f.operationId(), r.status(), match, error, null));
                }
            }, () -> !responded.get());
        } catch (IOException | RuntimeException e) {
            fail(from, f, d, "C-FIND at " + d.aeTitle(),
                    LocalFailure.of(d, e, Status.OUT_OF_RESOURCES.code()));
        } finally {
            cancels.remove(op);
            earlyCancels.remove(op);
        }
    }

    /** C-MOVE and C-GET: we C-MOVE from the PACS to ourselves and pass each instance on as it arrives. */
    private void retrieve(String from, LinkMessage.RetrieveRq f) {
        Service service = f instanceof LinkMessage.MoveRq ? Service.MOVE : Service.GET;
        Device d = exported(from, f, service);
        if (d == null) return;
        String op = key(from, f.operationId());
        QueryRetrieveModel model = QueryRetrieveModel.of(f.sopClassUid());
        java.util.concurrent.atomic.AtomicInteger remaining = new java.util.concurrent.atomic.AtomicInteger(-1);
        int msgId = -1;
        InboundInstances.Receiver receiver = null;
        try (QueryRetrieveScu scu = QueryRetrieveScu.open(d.host(), d.port(), d.aeTitle(), config.aeTitle(),
                model == null ? QueryRetrieveModel.STUDY_ROOT : model, List.of(), null, devices.options().of(d))) {
            receiver = (rq, data) -> {
                // Compressed as router A's route would be, by this router's setting for the requesting router.
                PayloadCodec codec = config.compression().of(from).forSyntax(rq.transferSyntax());
                LinkMessage.Instance inst = new LinkMessage.Instance(f.operationId(), rq.sopClassUid(), rq.sopInstanceUid(),
                        rq.transferSyntax().uid(), remaining.get() > 0 ? remaining.get() - 1 : -1, codec);
                courier.send(from, inst, out -> codec.copy(data, out));
                return 0x0000;
            };
            msgId = inbound.expect(d.aeTitle(), receiver);
            PendingRequest p = scu.move(Json.parse(f.identifier()), config.aeTitle(), msgId);
            cancels.put(op, () -> {
                try {
                    p.cancel(scu.contextOf("move"));
                } catch (IOException e) {
                    LOG.log(System.Logger.Level.WARNING, "C-CANCEL to " + d.aeTitle() + " failed: " + FailureText.of(e));
                }
            });
            if (earlyCancels.remove(op)) cancels.get(op).run();
            DimseResponse r, last = null;
            while ((r = p.next()) != null) {
                last = r;
                if (r.isPending()) remaining.set(r.command().getInt(0x00001020, -1));
            }
            String error = null;
            if (last == null) error = d.aeTitle() + " at " + d.host() + ":" + d.port() + " ended the C-MOVE without a final response";
            else if (Status.of(last.status()).type() == Status.Type.FAILURE) {
                error = LocalFailure.ofStatus(d, last.status(), last.command().getString(ERROR_COMMENT)).error();
            }
            List<String> failedUids = last != null && last.data() != null ? List.of(last.data().getStrings(0x00080058)) : List.of();
            answer(from, f.answer(last == null ? UNABLE_TO_PERFORM : last.status(),
                    last == null ? 0 : Math.max(0, last.command().getInt(0x00001022, 0)), failedUids, error, null));
        } catch (IOException | RuntimeException e) {
            fail(from, f, d, f.type() + " at " + d.aeTitle(), LocalFailure.of(d, e, UNABLE_TO_PERFORM));
        } finally {
            cancels.remove(op);
            earlyCancels.remove(op);
            if (msgId > 0) inbound.done(d.aeTitle(), msgId, receiver);
        }
    }

}
