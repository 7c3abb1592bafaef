package org.dicomrelay.router;

import org.dicomrelay.dicom.data.Attributes;
import org.dicomrelay.dicom.data.TransferSyntax;
import org.dicomrelay.dicom.data.VR;
import org.dicomrelay.dicom.io.DicomInputStream;
import org.dicomrelay.dicom.io.DicomOutputStream;
import org.dicomrelay.dicom.io.Transcoder;
import org.dicomrelay.dicom.net.Association;
import org.dicomrelay.dicom.net.FailureText;
import org.dicomrelay.dicom.net.dimse.Status;
import org.dicomrelay.dicom.net.service.DicomServiceException;
import org.dicomrelay.dicom.net.service.DimseServices;
import org.dicomrelay.dicom.net.service.Responder;
import org.dicomrelay.dicom.net.service.StreamSource;
import org.dicomrelay.relay.log.RepeatingLog;
import org.dicomrelay.router.config.Device;
import org.dicomrelay.router.config.RouterConfig;
import org.dicomrelay.router.config.RoutingTable;
import org.dicomrelay.router.config.Service;
import org.dicomrelay.router.link.Courier;
import org.dicomrelay.router.link.LinkMessage;
import org.dicomrelay.router.link.PayloadCodec;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The requesting side of the relay (router A): turns what local devices ask of a remote AE into
 * frames for the router that owns it, and the answers back into DIMSE responses. The routing
 * table is checked for every request: a service the route does not allow gets 0124 (not
 * authorised) and a log line.
 */
final class RelayService {
    private static final System.Logger LOG = System.getLogger(RelayService.class.getName());
    private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(60);
    private static final int PROCESSING_FAILURE = 0x0110;
    private static final int OUT_OF_RESOURCES = 0xA700;
    private static final int UNABLE_TO_CALCULATE_NUMBER_OF_MATCHES = 0xA701;
    private static final int UNABLE_TO_PERFORM_SUB_OPERATIONS = 0xA702;

    private final RouterConfig config;
    private final LocalDevices devices;
    private final RoutingTable routes;
    private final Courier courier;
    private final Pending pending;
    private final Spool spool;
    private final StoreAssociations stores;
    private final RepeatingLog relayFailures = new RepeatingLog(LOG, Duration.ofMinutes(1));
    private final Deliveries deliveries;
    private final RouterMetrics metrics;
    /** What local devices' associations do now (the console's Transfers page). */
    private final Transfers transfers;
    /** Where each study's objects went, hop by hop (the console's timeline). */
    private final StudyTimelines timelines = new StudyTimelines(java.time.Clock.systemUTC());
    /**
     * The least time to wait for another router's answer: router B may spend up to ~20 s finding
     * its device silent (connect timeout, ARTIM), and a PACS may take a while to store; a resend
     * before that answer duplicates the object. Still far below the fixed minute a lost frame used
     * to cost; above it, the deadline is learnt from the answers (RFC 6298).
     */
    private static final Duration ANSWER_FLOOR = Duration.ofSeconds(25);
    /**
     * An object past this size starts its upload while it arrives (above the largest bundled object, 1 MiB by default):
     * its first part goes, and the recipient starts reading, that much sooner (it was one Bridge part, 8 MiB).
     */
    static final long HEAD_START_BYTES = 2L << 20;
    /** How long a head start waits for the modality's next bytes before it gives up (the association's own timeouts come first). */
    private static final Duration HEAD_START_IDLE = Duration.ofMinutes(5);
    private final AnswerDeadline storeDeadlines;
    private final AnswerDeadline echoDeadlines = new AnswerDeadline(ANSWER_FLOOR, ANSWER_TIMEOUT);
    /** Ends the wait of a forwarded object whose answer did not come in time; closed by {@link #close()}. */
    private final ScheduledExecutorService deadlines = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("store-deadlines"));
    private final InFlightDeadlines inFlight = new InFlightDeadlines(deadlines);
    /** Forwarded objects whose answer is awaited (at most the window per destination): ended by {@link #close()}. */
    private final Set<CompletableFuture<DeliveryResult>> awaited = ConcurrentHashMap.newKeySet();

    RelayService(RouterConfig config, RoutingTable routes, Courier courier, Pending pending, Spool spool, StoreAssociations stores)
            throws IOException {
        this(config, routes, courier, pending, spool, stores, new AnswerDeadline(ANSWER_FLOOR, ANSWER_TIMEOUT));
    }

    /** With the live devices table (the console changes it). */
    RelayService(RouterConfig config, RoutingTable routes, Courier courier, Pending pending, Spool spool, StoreAssociations stores,
                 LocalDevices devices) throws IOException {
        this(config, routes, courier, pending, spool, stores, new AnswerDeadline(ANSWER_FLOOR, ANSWER_TIMEOUT), devices);
    }

    /** With the deadlines of forwarded objects given (tests: short ones). */
    RelayService(RouterConfig config, RoutingTable routes, Courier courier, Pending pending, Spool spool, StoreAssociations stores,
                 AnswerDeadline storeDeadlines) throws IOException {
        this(config, routes, courier, pending, spool, stores, storeDeadlines, LocalDevices.of(config));
    }

    private RelayService(RouterConfig config, RoutingTable routes, Courier courier, Pending pending, Spool spool, StoreAssociations stores,
                         AnswerDeadline storeDeadlines, LocalDevices devices) throws IOException {
        this.storeDeadlines = storeDeadlines;
        this.metrics = RouterMetrics.withProcessMeters(config.routerId(), routes);
        this.devices = devices;
        this.config = config;
        this.routes = routes;
        this.courier = courier;
        this.pending = pending;
        this.spool = spool;
        this.stores = stores;
        this.transfers = new Transfers(java.time.Clock.systemUTC(), ae -> routes.route(ae).map(RoutingTable.Route::routerId).orElse(null));
        try {
            this.deliveries = new Deliveries(spool, config.retry(), config.link().window(), this::forward);
            deliveries.metrics(metrics);
        } catch (IOException | RuntimeException e) {
            spool.close(); // the lock goes with it
            throw e;
        }
    }

    RouterMetrics metrics() {
        return metrics;
    }

    Transfers transfers() {
        return transfers;
    }

    StudyTimelines timelines() {
        return timelines;
    }

    /** Resumes what the spool holds; once the courier delivers answers (they would be lost before). */
    void startDeliveries() {
        deliveries.start();
    }

    DimseServices services(InboundInstances inbound, Authority authority) {
        return new DimseServices()
                .onEcho(this::echo)
                .onStore((as, rq, data) -> {
                    if (as.calledAeTitle().equals(config.aeTitle())) return inbound.store(as, rq, data);
                    // Never acknowledge what cannot be delivered: not while the Bridge refuses this router.
                    if (authority.revoked()) throw failed(as, Service.STORE, null, RelayFailure.revoked());
                    return store(as, rq, data);
                })
                .onFind(metrics.timedFind(this::find))
                .onMove(this::move)
                .onGet(this::get);
    }

    private RoutingTable.Route allowed(Association as, Service s) {
        RoutingTable.Route r = routes.route(as.calledAeTitle()).orElse(null);
        if (r == null || !r.allows(s)) {
            LOG.log(System.Logger.Level.WARNING, "refused " + s + " from " + as.callingAeTitle() + " to " + as.calledAeTitle()
                    + ": not allowed by the routing table");
            return null;
        }
        return r;
    }

    /**
     * A relay-side failure, logged (summarised per router: the comment varies with the cause, the
     * condition does not) and turned into the status with Error Comment the device is answered with.
     */
    private DicomServiceException failed(Association as, Service s, String routerId, RelayFailure f) {
        return failed(as.callingAeTitle(), as.calledAeTitle(), as, s, routerId, f);
    }

    /** As above; {@code as} null when no device's association asked (the console). */
    private DicomServiceException failed(String callingAe, String calledAe, Association as, Service s, String routerId, RelayFailure f) {
        String key = relayKey(routerId);
        if (as != null) transfers.failed(as, String.format("%04XH ", f.status()) + f.comment());
        relayFailures.occurred(key, System.Logger.Level.WARNING, s + " from " + callingAe + " to " + calledAe
                + (routerId == null ? "" : " via router " + routerId) + String.format(" answered %04XH: ", f.status()) + f.comment());
        return f.exception();
    }

    private static String relayKey(String routerId) {
        return routerId == null ? "relay" : "relay via router " + routerId;
    }

    /** An answer came from the router: relay failures through it, if any were being counted, are over. */
    private void relayWorks(String routerId) {
        relayFailures.cleared(relayKey(routerId), "relayed requests via router " + routerId + " are answered again");
    }

    // ---- C-ECHO: verifies the remote device, not only the remote router ----------------------

    private int echo(Association as, Attributes command) throws IOException {
        if (as.calledAeTitle().equals(config.aeTitle())) return 0x0000;
        return echoThroughRelay(as.callingAeTitle(), as.calledAeTitle(), as);
    }

    /**
     * C-ECHO of remote AE {@code calledAe} through the router that owns it (the console's Echo of a
     * remote AE and a local device's C-ECHO: one path); its status, or the failure as a
     * {@link DicomServiceException}. {@code as}: the local device's association, null for the console.
     */
    int echoThroughRelay(String callingAe, String calledAe, Association as) throws IOException {
        RoutingTable.Route r = routes.route(calledAe).orElse(null);
        if (r == null || !r.allows(Service.ECHO)) {
            LOG.log(System.Logger.Level.WARNING, "refused " + Service.ECHO + " from " + callingAe + " to " + calledAe
                    + ": not allowed by the routing table");
            throw new DicomServiceException(RelayFailure.NOT_AUTHORIZED, "not allowed by the routing table");
        }
        String op = UUID.randomUUID().toString();
        try (Pending.Operation o = pending.open(op, r.routerId())) {
            courier.send(r.routerId(), new LinkMessage.EchoRq(op, calledAe, callingAe), null);
            AnswerDeadline.Wait wait = echoDeadlines.begin(r.routerId(), 0);
            LinkMessage.Answer answer = o.next(wait.remaining());
            if (answer == null) {
                wait.timedOut();
                throw failed(callingAe, calledAe, as, Service.ECHO, r.routerId(), RelayFailure.noAnswer(r.routerId(), wait.timeout(), PROCESSING_FAILURE));
            }
            wait.answered();
            relayWorks(r.routerId());
            int status = answer.status();
            if (status != 0x0000) throw new DicomServiceException(status, answer.error());
            return status;
        } catch (DicomServiceException e) {
            throw e;
        } catch (IOException e) {
            throw failed(callingAe, calledAe, as, Service.ECHO, r.routerId(), RelayFailure.of(e, PROCESSING_FAILURE));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DicomServiceException(PROCESSING_FAILURE, "relay interrupted (router stopping)");
        }
    }

    // ---- C-STORE: store and forward ---------------------------------------------------------

    private int store(Association as, DimseServices.StoreRequest rq, InputStream data) throws IOException {
        RoutingTable.Route r = allowed(as, Service.STORE);
        if (r == null) {
            transfers.failed(as, "0124H not allowed by the routing table");
            return Status.NOT_AUTHORIZED.code();
        }
        java.time.Instant received = timelines.now();
        SpoolEntry e;
        boolean remoteAck = config.acksAfterRemoteStore(as.calledAeTitle());
        // A large object starts its upload while it arrives (the modality still hears Success only once it is forced to disk).
        Deliveries.HeadStart[] head = {null};
        java.util.concurrent.atomic.AtomicReference<SpoolEntry> headEntry = new java.util.concurrent.atomic.AtomicReference<>();
        SpoolTail tail = remoteAck ? null : new SpoolTail(headStartBytes(), HEAD_START_IDLE, growing -> head[0] = deliveries.headStart(
                as.calledAeTitle(), () -> deliver(new Outgoing(as.calledAeTitle(), as.callingAeTitle(), rq.sopClassUid(), rq.sopInstanceUid(),
                        rq.transferSyntax().uid(), null, growing, headEntry))));
        try {
            e = spool.add(data, as.calledAeTitle(), as.callingAeTitle(), rq.sopClassUid(), rq.sopInstanceUid(), rq.transferSyntax().uid(),
                    remoteAck ? SpoolEntry.State.REMOTE_ACK : SpoolEntry.State.PENDING, tail);
        } catch (RuntimeException ex) {
            if (head[0] != null) deliveries.orphan(head[0]);
            throw ex;
        } catch (IOException ex) {
            if (head[0] != null) deliveries.orphan(head[0]);
            if (ex instanceof org.dicomrelay.dicom.net.AssociationException) throw ex;
            LOG.log(System.Logger.Level.ERROR, "spool write failed for " + rq.sopInstanceUid() + " from " + as.callingAeTitle()
                    + ", answered A700 (the modality keeps it and may retry): " + FailureText.of(ex));
            transfers.failed(as, "A700H spool write failed: " + FailureText.of(ex));
            return Status.OUT_OF_RESOURCES.code(); // e.g. disk full: nothing was kept, nothing is lost
        }
        timelines.passed(e, r.routerId(), StudyTimelines.Hop.RECEIVED, received, null);
        timelines.passed(e, r.routerId(), StudyTimelines.Hop.SPOOLED, timelines.now(), null);
        if (remoteAck) {
            int status = forwardWhileModalityWaits(e);
            if (Status.of(status).isFailure()) transfers.failed(as, String.format("%04XH from the remote store", status));
            return status;
        }
        if (head[0] != null) {
            headEntry.set(e);
            deliveries.adopt(head[0], e);
        } else {
            deliveries.submit(e);
        }
        return Status.SUCCESS.code();
    }

    /** Past this many bytes an object gets a head start: never an object that could join a bundle. */
    private long headStartBytes() {
        return Math.max(HEAD_START_BYTES, config.link().bundleObjectMaxBytes() + 1);
    }

    /**
     * Remote acknowledgement: the modality hears the remote status (or A700 when none came) and
     * owns the retry, so the entry goes whatever happened (no second delivery). Its record says
     * {@code remote-ack}: listed as such meanwhile, and removed, not delivered, after a crash.
     */
    private int forwardWhileModalityWaits(SpoolEntry e) {
        DeliveryResult r = forward(e).join(); // the modality's thread waits: that is what remote acknowledgement means
        try {
            spool.remove(e.id());
        } catch (IOException ex) {
            LOG.log(System.Logger.Level.WARNING, "could not remove spool entry " + e.id() + " (answered to the modality; `spool` lists it): "
                    + FailureText.of(ex));
        }
        if (r.outcome() == DeliveryOutcome.DELIVERED) {
            LOG.log(System.Logger.Level.INFO, "delivered " + e.sopInstanceUid() + " to " + e.calledAe() + String.format(" (status %04XH)", r.status()));
        } else {
            LOG.log(System.Logger.Level.WARNING, "delivery of " + e.sopInstanceUid() + " to " + e.calledAe() + " failed, the modality is told: "
                    + r.describe());
        }
        return r.status() != null ? r.status() : Status.OUT_OF_RESOURCES.code();
    }

    /**
     * One attempt to deliver a spooled object: sends it on the calling thread and returns the
     * remote store's status to come, without waiting for it: router B's answer completes it (on
     * the courier's thread), or its deadline, a scheduled task. No answer, or no way to send (route
     * gone, cloud or Bridge down), is a transient failure; an answer is classified by its status
     * and router B's {@code failure} hint.
     *
     * <p>A resend after a lost answer is a new operation: the old one's payload is withdrawn if
     * router B has not read it yet, and its late answer finds no operation and is dropped, so the
     * spool entry leaves only on an answer to a send that is still awaited. If router B did store
     * the first send, the PACS receives the same SOP Instance twice (at least once, never lost).
     */
    private CompletableFuture<DeliveryResult> forward(SpoolEntry e) {
        return deliver(new Outgoing(e.calledAe(), e.callingAe(), e.sopClassUid(), e.sopInstanceUid(), e.transferSyntaxUid(), spool.data(e.id()), null,
                new java.util.concurrent.atomic.AtomicReference<>(e)));
    }

    /**
     * What {@link #deliver} sends: a spooled file, or (a head start) an object the spool is still writing;
     * {@code entry} is its spool entry, which a head start has only once the modality has sent it all (for the study's timeline).
     */
    private record Outgoing(String calledAe, String callingAe, String sopClassUid, String sopInstanceUid, String transferSyntaxUid,
                            Path file, SpoolTail growing, java.util.concurrent.atomic.AtomicReference<SpoolEntry> entry) {}

    private CompletableFuture<DeliveryResult> deliver(Outgoing e) {
        RoutingTable.Route r = routes.route(e.calledAe()).orElse(null);
        if (r == null || !r.allows(Service.STORE)) {
            return CompletableFuture.completedFuture(DeliveryResult.unreachable(e.calledAe() + " is not in the routing table for store"));
        }
        String op = UUID.randomUUID().toString();
        // Learnt per device behind the router: a slow PACS and a fast one share nothing.
        String destination = r.routerId() + " " + e.calledAe();
        CompletableFuture<DeliveryResult> result = new CompletableFuture<>();
        java.util.concurrent.atomic.AtomicReference<InFlightDeadlines.Tracked> tracked = new java.util.concurrent.atomic.AtomicReference<>();
        AnswerDeadline.Wait[] wait = new AnswerDeadline.Wait[1];
        Pending.Operation o = pending.expect(op, r.routerId(), answer -> {
            timed(e.entry().get(), r.routerId(), answer);
            result.complete(DeliveryResult.answered(answer.status(), answer.error(), answer.failure() == null ? null : answer.failure().wire()));
            // After completing: either this sees the tracking, or the sender sees the completion (and untracks it).
            InFlightDeadlines.Tracked t = tracked.get();
            if (t != null) inFlight.answered(t); // takes the latency sample
            else if (wait[0] != null) wait[0].answered(); // null: a head start answered before its upload returned
        });
        awaited.add(result);
        result.whenComplete((x, y) -> awaited.remove(result));
        try {
            Path file = e.file();
            SpoolTail growing = e.growing();
            long size = growing == null ? Files.size(file) : -1; // a head start's size is known once the modality has sent it all
            if (growing == null) wait[0] = storeDeadlines.begin(destination, size);
            // Compressed before sealing (ciphertext does not compress), if the route says so and the syntax is uncompressed.
            PayloadCodec codec = config.compression().of(r.routerId(), e.calledAe()).forSyntax(TransferSyntax.of(e.transferSyntaxUid()));
            Courier.PayloadWriter payload = growing == null ? out -> codec.copy(file, out) : out -> {
                try (java.io.InputStream in = growing.open()) {
                    codec.copy(in, out);
                }
            };
            long sent = growing == null ? size : Long.MAX_VALUE; // a head start is large: never bundled
            if (codec != PayloadCodec.NONE && growing == null && size <= config.link().bundleObjectMaxBytes()) {
                // A bundle entry announces its length, which compression changes: a small object is compressed first
                // (in memory: at most bundleObjectMaxBytes per send thread).
                java.io.ByteArrayOutputStream packed = new java.io.ByteArrayOutputStream((int) size);
                codec.copy(file, packed);
                byte[] bytes = packed.toByteArray();
                sent = bytes.length;
                payload = out -> out.write(bytes);
            }
            // A small object may join a bundle: this returns before the bundle goes, and a bundle that fails to go fails it here.
            courier.sendStore(r.routerId(), new LinkMessage.StoreRq(op, e.calledAe(), e.callingAe(), e.sopClassUid(), e.sopInstanceUid(),
                    e.transferSyntaxUid(), codec), sent, payload).whenComplete((done, failure) -> {
                        if (failure == null) {
                            SpoolEntry entry = e.entry().get();
                            if (entry != null) timelines.passed(entry, r.routerId(), StudyTimelines.Hop.SENT, timelines.now(), null);
                            return;
                        }
                        o.close();
                        if (result.complete(DeliveryResult.unreachable("sending to router " + r.routerId() + " failed: " + FailureText.of(failure)))) {
                            inFlight.sendFailed(destination);
                            InFlightDeadlines.Tracked t = tracked.get();
                            if (t != null) inFlight.untrack(t);
                        }
                    });
        } catch (IOException | RuntimeException ex) {
            o.close();
            inFlight.sendFailed(destination);
            result.complete(DeliveryResult.unreachable("sending to router " + r.routerId() + " failed: " + FailureText.of(ex)));
            return result;
        }
        if (wait[0] == null) wait[0] = storeDeadlines.begin(destination, Math.max(0, e.growing().size()));
        AnswerDeadline.Wait w = wait[0];
        InFlightDeadlines.Tracked t = inFlight.track(destination, w, () -> {
            // Lost in flight (a router killed, a notification dropped): resent after back-off, not after a fixed minute.
            o.close();
            if (result.complete(DeliveryResult.unreachable("no answer from router " + r.routerId() + " within " + w.timeout().toSeconds() + " s"))) {
                courier.abandon(r.routerId(), op);
            }
        });
        tracked.set(t);
        if (result.isDone()) inFlight.untrack(t); // answered before it was tracked
        return result;
    }

    /** The hops an answer tells of: router B's receipt and its PACS's answer (B's clock, when it sent them), and the answer here. */
    private void timed(SpoolEntry e, String routerId, LinkMessage.Answer answer) {
        if (e == null) return; // a head start answered before the modality had sent it all: no study to show it in yet
        if (answer instanceof LinkMessage.StoreRsp rsp) {
            if (rsp.receivedAtMillis() != null) {
                timelines.passed(e, routerId, StudyTimelines.Hop.RECEIVED_AT_B, java.time.Instant.ofEpochMilli(rsp.receivedAtMillis()), null);
            }
            if (rsp.storedAtMillis() != null) {
                timelines.passed(e, routerId, StudyTimelines.Hop.STORED_AT_B, java.time.Instant.ofEpochMilli(rsp.storedAtMillis()), rsp.status());
            }
        }
        timelines.passed(e, routerId, StudyTimelines.Hop.ANSWERED, timelines.now(), answer.status());
    }

    // ---- C-FIND -------------------------------------------------------------------------------

    private void find(Association as, DimseServices.QueryRequest rq, Responder responder) throws IOException {
        RoutingTable.Route r = allowed(as, Service.FIND);
        if (r == null) {
            responder.fail(RelayFailure.NOT_AUTHORIZED, "not allowed by the routing table", null);
            return;
        }
        String op = UUID.randomUUID().toString();
        try (Pending.Operation o = pending.open(op, r.routerId())) {
            courier.send(r.routerId(), new LinkMessage.FindRq(op, as.calledAeTitle(), as.callingAeTitle(), rq.sopClassUid(),
                    Json.of(rq.identifier())), null);
            Answers answers = new Answers(o, rq, r.routerId(), op);
            while (true) {
                LinkMessage.Answer f = answers.next();
                if (f == null) throw failed(as, Service.FIND, r.routerId(), RelayFailure.noAnswer(r.routerId(), ANSWER_TIMEOUT, OUT_OF_RESOURCES));
                boolean cancelSent = answers.cancelSent;
                int status = f.status();
                if (status == 0xFF00 || status == 0xFF01) {
                    if (!cancelSent) responder.match(Json.parse(matchOf(f)));
                    if (f instanceof LinkMessage.FindRsp match && match.finalStatus() != null) {
                        responder.finish(cancelSent && match.finalStatus() == 0x0000 ? 0xFE00 : match.finalStatus(), null, null);
                        return;
                    }
                } else {
                    // Matches were withheld since the cancel: "success, matching complete" would be untrue (PS3.4 §C.4.1.3.1).
                    int last = cancelSent && status == 0x0000 ? 0xFE00 : status;
                    String error = f.error();
                    if (error != null && last != 0x0000) responder.fail(last, error, null);
                    else responder.finish(last, null, null);
                    return;
                }
            }
        } catch (DicomServiceException e) {
            throw e;
        } catch (IOException e) {
            if (responder.isFinished()) throw e; // the workstation's association failed: nobody to answer
            throw failed(as, Service.FIND, r.routerId(), RelayFailure.of(e, OUT_OF_RESOURCES));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            responder.finish(0xFE00, null, null);
        }
    }

    /**
     * The answers to one relayed C-FIND/C-MOVE/C-GET as they come, relaying the workstation's
     * C-CANCEL once; null when the other router has been silent for {@link #ANSWER_TIMEOUT}.
     */
    private final class Answers {
        private final Pending.Operation operation;
        private final DimseServices.QueryRequest request;
        private final String routerId;
        private final String op;
        boolean cancelSent;

        Answers(Pending.Operation operation, DimseServices.QueryRequest request, String routerId, String op) {
            this.operation = operation;
            this.request = request;
            this.routerId = routerId;
            this.op = op;
        }

        LinkMessage.Answer next() throws IOException, InterruptedException {
            long start = System.nanoTime();
            // Silence is measured from the last answer or instance, so a long retrieve stays alive while instances flow.
            while (System.nanoTime() - Math.max(start, operation.lastActivity) < ANSWER_TIMEOUT.toNanos()) {
                if (request.isCancelled() && !cancelSent) {
                    courier.send(routerId, new LinkMessage.Cancel(op), null);
                    cancelSent = true;
                }
                // A short wait, so that a cancel from the workstation goes out promptly.
                LinkMessage.Answer f = operation.next(Duration.ofMillis(100));
                if (f != null) {
                    relayWorks(routerId);
                    return f;
                }
            }
            return null;
        }
    }

    // ---- C-MOVE and C-GET ---------------------------------------------------------------------

    private void move(Association as, DimseServices.QueryRequest rq, Responder responder) throws IOException {
        RoutingTable.Route r = allowed(as, Service.MOVE);
        if (r == null) {
            responder.fail(RelayFailure.NOT_AUTHORIZED, "not allowed by the routing table", null);
            return;
        }
        Device dest = devices.find(rq.moveDestination()).orElse(null);
        if (dest == null || !dest.offers(Service.STORE)) {
            LOG.log(System.Logger.Level.WARNING, "C-MOVE from " + as.callingAeTitle() + ": destination " + rq.moveDestination()
                    + " is not a local device that accepts store");
            transfers.failed(as, "A801H move destination " + rq.moveDestination() + " unknown at this router");
            responder.fail(0xA801, "move destination " + rq.moveDestination() + " unknown at this router", null);
            return;
        }
        retrieve(as, rq, responder, r, Service.MOVE, (instance, payload) -> storeTo(dest, instance, payload, as.callingAeTitle(), rq.messageId()));
    }

    private void get(Association as, DimseServices.QueryRequest rq, Responder responder) throws IOException {
        RoutingTable.Route r = allowed(as, Service.GET);
        if (r == null) {
            responder.fail(RelayFailure.NOT_AUTHORIZED, "not allowed by the routing table", null);
            return;
        }
        retrieve(as, rq, responder, r, Service.GET, (instance, payload) -> storeOnAssociation(as, instance, payload));
    }

    /** Where a retrieved instance goes at our end; returns the C-STORE status. */
    @FunctionalInterface
    private interface Sink {
        int store(LinkMessage.Instance instance, InputStream payload) throws IOException;
    }

    private void retrieve(Association as, DimseServices.QueryRequest rq, Responder responder, RoutingTable.Route r, Service service, Sink sink)
            throws IOException {
        String op = UUID.randomUUID().toString();
        AtomicInteger completed = new AtomicInteger(), failed = new AtomicInteger(), warning = new AtomicInteger();
        List<String> failedUids = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (Pending.Operation o = pending.open(op, r.routerId())) {
            o.payloadHandler = (instance, payload) -> {
                int st;
                // Decoded as it streams to the destination; the payload limit applies to the decompressed bytes.
                try (InputStream decoded = transfers.counted(as, instance.compression().decoder(payload, config.limits().maxPayloadBytes(),
                        "the instance " + instance.sopInstanceUid() + " from router " + r.routerId()))) {
                    st = sink.store(instance, decoded);
                } catch (IOException e) {
                    LOG.log(System.Logger.Level.WARNING, "sub-operation for " + instance.sopInstanceUid() + " failed: " + FailureText.of(e));
                    st = 0xA700;
                }
                if (st == 0) completed.incrementAndGet();
                else if ((st & 0xF000) == 0xB000) warning.incrementAndGet();
                else {
                    failed.incrementAndGet();
                    failedUids.add(instance.sopInstanceUid());
                }
                responder.pending(instance.remaining(), completed.get(), failed.get(), warning.get());
                transfers.subOperations(as, instance.remaining(), completed.get(), failed.get(), warning.get());
            };
            String identifier = Json.of(rq.identifier());
            courier.send(r.routerId(), service == Service.MOVE
                    ? new LinkMessage.MoveRq(op, as.calledAeTitle(), as.callingAeTitle(), rq.sopClassUid(), identifier)
                    : new LinkMessage.GetRq(op, as.calledAeTitle(), as.callingAeTitle(), rq.sopClassUid(), identifier), null);
            Answers answers = new Answers(o, rq, r.routerId(), op);
            while (true) {
                LinkMessage.Answer f = answers.next();
                if (f == null) {
                    RelayFailure silent = RelayFailure.noAnswer(r.routerId(), ANSWER_TIMEOUT, UNABLE_TO_PERFORM_SUB_OPERATIONS);
                    failed(as, service, r.routerId(), silent);
                    finishRetrieve(responder, silent.status(), silent.comment(), completed.get(), failed.get(), warning.get(), failedUids);
                    return;
                }
                int status = f.status();
                if (status == 0xFF00) continue; // progress at the remote end; our counts are what reached the destination
                LinkMessage.RetrieveRsp last = retrieveAnswer(f);
                int remoteFailed = last.failed();
                int totalFailed = failed.get() + remoteFailed;
                int finalStatus;
                if (status == 0xFE00) finalStatus = 0xFE00;
                else if (status != 0 && status != 0xB000 && completed.get() + warning.get() == 0) finalStatus = status;
                else if (totalFailed > 0 || warning.get() > 0) finalStatus = completed.get() + warning.get() == 0 ? 0xA702 : 0xB000;
                else finalStatus = 0x0000;
                failedUids.addAll(last.failedUids());
                transfers.subOperations(as, 0, completed.get(), totalFailed, warning.get());
                if (Status.of(finalStatus).isFailure()) transfers.failed(as, String.format("%04XH ", finalStatus) + last.error());
                finishRetrieve(responder, finalStatus, finalStatus == 0x0000 ? null : last.error(), completed.get(), totalFailed,
                        warning.get(), failedUids);
                return;
            }
        } catch (IOException e) {
            if (responder.isFinished()) throw e; // the workstation's association failed: nobody to answer
            // Nothing reached the other router (or its answers stopped): out of resources, before or during the sub-operations.
            int status = completed.get() + failed.get() + warning.get() == 0 ? UNABLE_TO_CALCULATE_NUMBER_OF_MATCHES : UNABLE_TO_PERFORM_SUB_OPERATIONS;
            RelayFailure f = RelayFailure.of(e, status);
            failed(as, service, r.routerId(), f);
            finishRetrieve(responder, f.status(), f.comment(), completed.get(), failed.get(), warning.get(), failedUids);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            finishRetrieve(responder, 0xFE00, null, completed.get(), failed.get(), warning.get(), failedUids);
        }
    }

    /** The match a pending C-FIND answer carries; an answer of another type or without a match is the other router's fault. */
    private static String matchOf(LinkMessage.Answer a) throws IOException {
        if (a instanceof LinkMessage.FindRsp f && f.identifier() != null) return f.identifier();
        throw new IOException("the other router answered a pending C-FIND with " + a.type() + " and no match");
    }

    /** The final answer of a relayed C-MOVE/C-GET, if the other router answered with one. */
    private static LinkMessage.RetrieveRsp retrieveAnswer(LinkMessage.Answer a) throws IOException {
        if (a instanceof LinkMessage.RetrieveRsp r) return r;
        throw new IOException("the other router answered a C-MOVE/C-GET with " + a.type());
    }

    private static void finishRetrieve(Responder responder, int status, String errorComment, int completed, int failed, int warning,
                                       List<String> failedUids) throws IOException {
        Attributes counts = Responder.counts(new Attributes(), -1, completed, failed, warning);
        if (errorComment != null) DicomServiceException.commentAttributes(errorComment).forEach(counts::set);
        Attributes identifier = null;
        if (!failedUids.isEmpty() && status != 0) {
            identifier = new Attributes();
            identifier.setString(0x00080058, VR.UI, failedUids.toArray(String[]::new));
        }
        responder.finish(status, counts, identifier);
    }

    /**
     * C-MOVE at our end: C-STORE to the destination device, with move originator (PS3.7 §9.3.1.1),
     * streamed as the instance arrives. A payload that fails midway (authentication, cut short)
     * aborts that C-STORE, so the destination keeps nothing, and fails this sub-operation only.
     */
    private int storeTo(Device dest, LinkMessage.Instance instance, InputStream payload, String originatorAe, int originatorMessageId) throws IOException {
        StreamSource src = new StreamSource(payload, instance.sopClassUid(), instance.sopInstanceUid(), TransferSyntax.of(instance.transferSyntaxUid()));
        return stores.store(dest, src, originatorAe, originatorMessageId).status();
    }

    /** C-GET at our end: a C-STORE sub-operation on the requestor's own association. */
    private int storeOnAssociation(Association as, LinkMessage.Instance instance, InputStream payload) throws IOException {
        String cuid = instance.sopClassUid(), iuid = instance.sopInstanceUid();
        TransferSyntax ts = TransferSyntax.of(instance.transferSyntaxUid());
        int pcid = as.findContext(cuid, ts.uid());
        boolean transcode = false;
        if (pcid < 0 && ts.isUncompressed()) {
            pcid = as.findContext(cuid, null);
            transcode = pcid > 0;
        }
        if (pcid < 0) {
            LOG.log(System.Logger.Level.WARNING, "C-GET: " + as.callingAeTitle() + " accepted no context for " + cuid + " in " + ts.name());
            payload.transferTo(java.io.OutputStream.nullOutputStream());
            return 0xA900;
        }
        Attributes rq = new Attributes();
        rq.setString(0x00000002, VR.UI, cuid);
        rq.setInt(0x00000100, VR.US, 0x0001);
        rq.setInt(0x00000700, VR.US, 0);
        rq.setString(0x00001000, VR.UI, iuid);
        TransferSyntax target = as.transferSyntax(pcid);
        boolean convert = transcode;
        // Whole and authenticated before a byte goes to the workstation: a half-sent C-STORE would abort its association.
        Path tmp = IncomingFiles.createInstance(config.state());
        try {
            IncomingFiles.fill(tmp, payload);
            return as.invoke(pcid, rq, out -> {
                try (InputStream in = Files.newInputStream(tmp)) {
                    if (convert) Transcoder.transcode(new DicomInputStream(in, ts), new DicomOutputStream(out, target));
                    else org.dicomrelay.relay.io.Copy.of(in, out);
                }
            }).next().status();
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    void close() {
        deliveries.close();
        deadlines.shutdownNow();
        // A modality waiting for a remote acknowledgement hears A700 and keeps its object; spooled entries stay for the next start.
        for (CompletableFuture<DeliveryResult> f : awaited) f.complete(DeliveryResult.unreachable("the router is stopping"));
        try {
            spool.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "could not release the spool lock: " + FailureText.of(e));
        }
    }
}
