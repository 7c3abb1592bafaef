package org.dicomrelay.router.link;

import org.dicomrelay.dicom.net.FailureText;
import org.dicomrelay.dicom.net.dimse.Status;
import org.dicomrelay.relay.bridge.RouterRecord;
import org.dicomrelay.relay.cloud.BlobNames;
import org.dicomrelay.relay.cloud.BlobStore;
import org.dicomrelay.relay.cloud.Notifications;
import org.dicomrelay.relay.crypto.Envelope;
import org.dicomrelay.relay.crypto.PublicKeys;
import org.dicomrelay.relay.crypto.RouterKeys;
import org.dicomrelay.relay.crypto.SessionPolicy;
import org.dicomrelay.relay.crypto.Sessions;
import org.dicomrelay.relay.crypto.Stamp;
import org.dicomrelay.relay.log.RepeatingLog;
import org.dicomrelay.router.config.Limits;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Frames through Cloud IO, sealed end to end: the frame itself, encrypted for the recipient,
 * is the notification; a payload goes to a blob with a random name, sealed the same way, and
 * the frame names the blob. The cloud sees random names and ciphertext only.
 *
 * <p>Envelopes are sealed in link sessions ({@link Sessions}): public-key work once per session
 * and router pair, symmetric streaming AEAD per message. The frame is a {@link LinkMessage} in its
 * {@link LinkCodec} form.
 *
 * <p>Every envelope is stamped with a sequence number (per recipient, {@link SequenceCounter})
 * and its sending time; a payload names the frame that carries it. {@link #receive} is the one
 * place where a frame is authenticated, checked against the {@link ReplayGuard} (replays, old
 * or future-dated frames refused, each refusal logged) and recorded as seen before any handler
 * runs it, so a re-delivered notification (a failed acknowledgement) runs nothing a second time.
 */
public final class CloudCourier implements Courier {
    private static final System.Logger LOG = System.getLogger(CloudCourier.class.getName());
    static final String FRAME = "frame";
    static final String PAYLOAD = "payload";
    private static final Duration SUMMARY_PERIOD = Duration.ofMinutes(1);
    /** Poll back-off after a failure: from 1 s doubling up to 5 s, so a returning Bridge is seen within seconds. */
    private static final long POLL_BACKOFF_MAX_MILLIS = 5000;
    private static final long POLLER_STOP_MILLIS = 10_000;
    private static final int ACK_THREADS = 4, ACK_QUEUE = 10_000, ACK_DRAIN_SECONDS = 5;
    /** Tries to read a payload while the cloud fails (1 s, then 2 s apart) before the handler answers a failure. */
    private static final int PAYLOAD_OPEN_ATTEMPTS = 3;
    private static final long DELETE_RETRY_MILLIS = 5000;
    /** Beyond this many failed deletions, the journal's age sweep takes the rest. */
    private static final int MAX_UNDELETED = 10_000;
    /** Frames one sender may have waiting per lane (a frame is small: its payload stays in the cloud until it runs). */
    private static final int QUEUED_PER_PEER = 1000;
    private static final int ANSWER_QUEUE_FACTOR = 10;
    /** The largest frame plaintext: fields and identifiers are small; a data set is a payload. */
    static final int MAX_FRAME_BYTES = 1 << 20;
    private static final String NOT_RECORDED = "replay memory not written";

    private final String routerId;
    private final Sessions sessions;
    private final Function<String, PublicKeys> directory;
    private final BlobStore blobs;
    private final Notifications inbox;
    private final LinkGuards link;
    /** Frames refused as replays or too old, per sender and reason: a replaying cloud is one line, then a count. */
    private final RepeatingLog replays = new RepeatingLog(LOG, SUMMARY_PERIOD);
    /** Received frames, at most {@code operationsPerPeer} operations per sender and {@link Lane} at once; closed with the courier. */
    private final PerSenderExecutor frames;
    private final int queuedPerPeer;
    /** Frames refused because their sender's queue was full, per sender and lane: a flood is one line, then a count. */
    private final RepeatingLog busy = new RepeatingLog(LOG, SUMMARY_PERIOD);
    /** Inbox failures (the Bridge down, our credentials refused): the first, then a count per period, then "reachable again". */
    private final RepeatingLog inboxLog = new RepeatingLog(LOG, SUMMARY_PERIOD);
    /** Messages rejected, per claimed sender: a revoked or unknown router knocking every second is one line, then a count. */
    private final RepeatingLog rejected = new RepeatingLog(LOG, SUMMARY_PERIOD);
    private final RepeatingLog journalLog = new RepeatingLog(LOG, SUMMARY_PERIOD);
    private volatile boolean closed;
    private volatile Thread poller;
    private final CloudReach reach = new CloudReach(java.time.Clock.systemUTC());
    private volatile UploadJournal journal;
    /** Runs the journal sweep and the retries of failed deletions; closed with the courier. */
    private final ScheduledExecutorService sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "courier-sweep");
        t.setDaemon(true);
        return t;
    });
    /**
     * Sends acknowledgements, so that the poller does not wait a round trip to the inbox per message (over a WAN
     * that bounded the whole link to one message per round trip). Bounded: past its queue the poller acknowledges
     * itself. A lost acknowledgement only brings the message back, where the replay guard refuses it. Closed with the courier.
     */
    private final java.util.concurrent.ThreadPoolExecutor acks = new java.util.concurrent.ThreadPoolExecutor(ACK_THREADS, ACK_THREADS,
            30, TimeUnit.SECONDS, new java.util.concurrent.ArrayBlockingQueue<>(ACK_QUEUE), r -> {
                Thread t = new Thread(r, "courier-ack");
                t.setDaemon(true);
                return t;
            }, new java.util.concurrent.ThreadPoolExecutor.CallerRunsPolicy());
    /** Blobs whose deletion failed (the cloud unreachable): retried every few seconds, so none waits for the age sweep. */
    private final Set<String> undeleted = ConcurrentHashMap.newKeySet();
    private final RepeatingLog deleteLog = new RepeatingLog(LOG, SUMMARY_PERIOD);
    /** STORE answers waiting to go out together; null: each is sent alone. Closed with the courier. */
    private volatile AnswerBatches storeAnswers;
    private final RepeatingLog answersLog = new RepeatingLog(LOG, SUMMARY_PERIOD);
    /** Small C-STOREs travelling together; null: each goes alone. Closed with the courier. */
    private volatile Bundler bundler;

    /** With sequence numbers and replay memory in memory only ({@link LinkGuards#inMemory}): for tests and tools. */
    public CloudCourier(String routerId, RouterKeys keys, Function<String, PublicKeys> directory, BlobStore blobs, Notifications inbox) {
        this(routerId, keys, directory, blobs, inbox, Limits.DEFAULT.operationsPerPeer(), LinkGuards.inMemory(java.time.Clock.systemUTC()));
    }

    /**
     * Runs at most {@code operationsPerPeer} operations of one sending router at once (router.yaml
     * {@code limits}); stamps and checks every message with {@code link}, which it closes.
     */
    public CloudCourier(String routerId, RouterKeys keys, Function<String, PublicKeys> directory, BlobStore blobs, Notifications inbox,
                        int operationsPerPeer, LinkGuards link) {
        this(routerId, keys, directory, blobs, inbox, operationsPerPeer, QUEUED_PER_PEER, link);
    }

    /** As above, sealing and opening in {@code sessions} (this router's, with its session keys in its state folder). */
    public CloudCourier(Sessions sessions, Function<String, PublicKeys> directory, BlobStore blobs, Notifications inbox,
                        int operationsPerPeer, LinkGuards link) {
        this(sessions, directory, blobs, inbox, operationsPerPeer, QUEUED_PER_PEER, link);
    }

    CloudCourier(String routerId, RouterKeys keys, Function<String, PublicKeys> directory, BlobStore blobs, Notifications inbox,
                 int operationsPerPeer, int queuedPerPeer) {
        this(routerId, keys, directory, blobs, inbox, operationsPerPeer, queuedPerPeer, LinkGuards.inMemory(java.time.Clock.systemUTC()));
    }

    /** Session keys in memory only: for tests and tools. */
    CloudCourier(String routerId, RouterKeys keys, Function<String, PublicKeys> directory, BlobStore blobs, Notifications inbox,
                 int operationsPerPeer, int queuedPerPeer, LinkGuards link) {
        this(Sessions.inMemory(routerId, keys, SessionPolicy.DEFAULT, link.clock()), directory, blobs, inbox, operationsPerPeer,
                queuedPerPeer, link);
    }

    CloudCourier(Sessions sessions, Function<String, PublicKeys> directory, BlobStore blobs, Notifications inbox,
                 int operationsPerPeer, int queuedPerPeer, LinkGuards link) {
        String routerId = sessions.routerId();
        this.sessions = sessions;
        this.link = java.util.Objects.requireNonNull(link, "link");
        // Answers get a deeper queue: the INSTANCEs of this router's own C-MOVE of a large study may arrive
        // faster than the local device stores them, and a dropped one is an image missing there.
        this.frames = new PerSenderExecutor(operationsPerPeer,
                lane -> lane.kind().awaited() ? queuedPerPeer * ANSWER_QUEUE_FACTOR : queuedPerPeer, "courier-worker");
        this.queuedPerPeer = queuedPerPeer;
        this.routerId = routerId;
        this.directory = directory;
        this.blobs = blobs;
        this.inbox = inbox;
        sweeper.scheduleWithFixedDelay(this::retryDeletes, DELETE_RETRY_MILLIS, DELETE_RETRY_MILLIS, TimeUnit.MILLISECONDS);
    }

    /**
     * Records every payload this courier uploads in {@code journal}, and deletes those left
     * unanswered (see {@link UploadJournal}): once now, for what an earlier run left, then
     * periodically. The courier closes the journal when it closes.
     */
    @Override public synchronized void recordUploadsIn(UploadJournal journal) {
        if (this.journal != null) throw new IllegalStateException("already recording uploads");
        this.journal = journal;
        long period = journal.sweepPeriod().toMillis();
        sweeper.scheduleWithFixedDelay(this::sweep, 0, period, TimeUnit.MILLISECONDS);
    }

    /** Deletes the unanswered uploads due; a failure (the cloud down) is retried at the next period. */
    void sweep() {
        UploadJournal j = journal;
        if (j == null) return;
        try {
            j.sweep(blobs::delete);
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "could not delete unanswered uploads, will try again: " + FailureText.of(e));
        }
    }

    /** Withdraws the payload of a request the sender no longer waits for, so that a late delivery cannot store it again. */
    @Override public void abandon(String toRouterId, String operationId) {
        Bundler b = bundler;
        if (b != null && b.abandoned(toRouterId, operationId)) return; // its blob is shared: withdrawn once every entry is done
        UploadJournal j = journal;
        String blob = j == null ? null : j.abandoned(toRouterId, operationId);
        if (blob != null) deleteQuietly(blob);
    }

    @Override public void send(String toRouterId, LinkMessage message, PayloadWriter payload) throws IOException {
        AnswerBatches batches = storeAnswers;
        if (batches != null && payload == null && message instanceof LinkMessage.StoreRsp answer) {
            batches.add(toRouterId, answer);
            return;
        }
        PublicKeys recipient = directory.apply(toRouterId);
        if (recipient == null) throw new IOException("no public keys for router " + toRouterId + " in the directory");
        String frameId = BlobNames.random();
        String name = null;
        if (payload != null) {
            name = BlobNames.random();
            recordUpload(name, toRouterId, message instanceof LinkMessage.Request ? message.operationId() : null);
            BlobStore.Upload up = blobs.create(name, toRouterId);
            String payloadName = name;
            // A store readable while written: the frame goes as soon as the recipient can open the blob (its first part
            // stored, so the recipient never finds it absent), and the recipient reads while the rest uploads.
            boolean[] published = {false};
            if (blobs.readableWhileWriting()) {
                up.whenReadable(() -> {
                    try {
                        publishFrame(toRouterId, recipient, frameId, message, payloadName);
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                    published[0] = true;
                });
            }
            // Not try-with-resources: closing publishes the blob, and a failed write must never be published.
            try {
                // A number of its own, bound to its frame: it cannot be moved under another. (The frame takes its
                // number later, when it goes, so as not to arrive below the recipient's window or too old.)
                Stamp stamp = Stamp.of(link.sequences().next(toRouterId), link.clock().millis()).forPayloadOf(frameId);
                OutputStream sealed = Envelope.seal(up, sessions, recipient, PAYLOAD, name, stamp, false);
                payload.writeTo(sealed);
                sealed.close();
            } catch (IOException | RuntimeException e) {
                up.abort(); // a recipient reading it already fails, and answers a request with a failure
                IOException cause = e instanceof java.io.UncheckedIOException u ? u.getCause() : null;
                if (published[0] && message instanceof LinkMessage.Request) {
                    // The frame is out: the recipient's answer says what became of it (a failure, unless it read the whole
                    // payload before, e.g. the last part's answer was lost), so throwing here would invite a duplicate.
                    LOG.log(System.Logger.Level.WARNING, "the upload of the payload of " + message.type() + " to router " + toRouterId
                            + " failed after its frame was sent; the recipient's answer decides: " + FailureText.of(e));
                    return;
                }
                if (cause != null) throw cause;
                throw e;
            }
            if (published[0]) return;
        }
        try {
            publishFrame(toRouterId, recipient, frameId, message, name);
        } catch (IOException | RuntimeException e) {
            // No frame will name the payload (or, if the publish went through unseen, its recipient answers a failure).
            if (name != null) deleteQuietly(name);
            throw e;
        }
    }

    /**
     * A small C-STORE joins its destination's open bundle (see {@link #bundling}) and this returns once its
     * bytes are written, without waiting for the bundle to go; a larger one, or any when not bundling, goes alone.
     */
    @Override public java.util.concurrent.CompletionStage<Void> sendStore(String toRouterId, LinkMessage.StoreRq message, long size,
                                                                          PayloadWriter payload) throws IOException {
        Bundler b = bundler;
        java.util.concurrent.CompletableFuture<Void> bundled = b == null ? null : b.append(toRouterId, message, size, payload);
        if (bundled != null) return bundled;
        send(toRouterId, message, payload);
        return java.util.concurrent.CompletableFuture.completedFuture(null);
    }

    /**
     * C-STOREs of objects up to {@code objectMaxBytes} to one router and called AE travel in bundles, one blob
     * and one {@link LinkMessage.StoreBundle} frame each, sent when a bundle holds {@code bundleBytes} or
     * {@code linger} after its first object (router.yaml {@code link.bundleObjectMaxBytes}, {@code link.bundleBytes},
     * {@code link.bundleLingerMillis}; {@code bundleBytes} 0: no bundles).
     */
    public synchronized CloudCourier bundling(long objectMaxBytes, long bundleBytes, Duration linger) {
        if (bundler != null) throw new IllegalStateException("already bundling");
        if (bundleBytes > 0) bundler = new Bundler(new Bundler.Settings(objectMaxBytes, bundleBytes, linger), new BundleOutlet());
        return this;
    }

    /** The courier's side of a {@link Bundler}: a bundle's blob is sealed, recorded and published as any payload. */
    private final class BundleOutlet implements Bundler.Outlet {
        @Override public Bundler.Sealed open(String toRouterId, String blob, String frameId, String bundleId) throws IOException {
            PublicKeys recipient = directory.apply(toRouterId);
            if (recipient == null) throw new IOException("no public keys for router " + toRouterId + " in the directory");
            recordUpload(blob, toRouterId, bundleId);
            BlobStore.Upload up = blobs.create(blob, toRouterId);
            try {
                Stamp stamp = Stamp.of(link.sequences().next(toRouterId), link.clock().millis()).forPayloadOf(frameId);
                return new Bundler.Sealed(up, Envelope.seal(up, sessions, recipient, PAYLOAD, blob, stamp, false));
            } catch (IOException | RuntimeException e) {
                up.abort();
                throw e;
            }
        }

        @Override public void publish(String toRouterId, String frameId, LinkMessage.StoreBundle bundle, String blob) throws IOException {
            PublicKeys recipient = directory.apply(toRouterId);
            if (recipient == null) throw new IOException("no public keys for router " + toRouterId + " in the directory");
            publishFrame(toRouterId, recipient, frameId, bundle, blob);
        }

        @Override public void settled(String toRouterId, String bundleId, String blob, boolean withdraw) {
            UploadJournal j = journal;
            if (withdraw) {
                if (j != null) j.abandoned(toRouterId, bundleId);
                deleteQuietly(blob);
            } else if (j != null) {
                j.answered(toRouterId, bundleId);
            }
        }
    }

    /** Notes an upload in the journal before it starts: a kill mid-way or before publishing leaves a record for the sweep. */
    private void recordUpload(String blob, String toRouterId, String operationId) {
        UploadJournal j = journal;
        if (j == null) return;
        try {
            j.uploaded(blob, toRouterId, operationId);
            journalLog.cleared("write", "the upload journal is written again");
        } catch (IOException e) {
            // A full disk must not stop deliveries (they are what frees the spool): only a crash now would leave an orphan.
            journalLog.occurred("write", System.Logger.Level.WARNING, "could not record an upload in the journal, sending anyway: "
                    + FailureText.of(e));
        }
    }

    /** The answer to {@code operationId} came from {@code from}: what was uploaded for it is consumed. */
    private void answered(String from, String operationId) {
        Bundler b = bundler;
        if (b != null && b.answered(from, operationId)) return;
        UploadJournal j = journal;
        if (j != null) j.answered(from, operationId);
    }

    /**
     * Sends the STORE answers that become ready for one router while a send to it is in progress
     * (or, with a {@code linger}, within it of each other), at most {@code max}, as one
     * {@link LinkMessage.StoreRspBatch} frame ({@link AnswerBatches}; router.yaml
     * {@code link.answerLingerMillis}, {@code link.answerBatchMax}: 1 sends each alone); other messages go at once.
     */
    public synchronized CloudCourier batchingStoreAnswers(Duration linger, int max) {
        if (storeAnswers != null) throw new IllegalStateException("already batching answers");
        if (max > 1) storeAnswers = new AnswerBatches(linger, max, this::sendAnswers);
        return this;
    }

    /** One answer as itself, several as a batch; a failure is logged (the requesting router resends after its deadline). */
    private void sendAnswers(String toRouterId, List<LinkMessage.StoreRsp> answers) {
        LinkMessage m = answers.size() == 1 ? answers.get(0) : new LinkMessage.StoreRspBatch(java.util.UUID.randomUUID().toString(), answers);
        try {
            publish(toRouterId, m);
            answersLog.cleared(toRouterId, "router " + toRouterId + " can be answered again");
        } catch (IOException | RuntimeException e) {
            answersLog.occurred(toRouterId, System.Logger.Level.WARNING, "could not send " + answers.size() + " STORE answer(s) to router "
                    + toRouterId + " (it resends those objects after its deadline): " + FailureText.of(e));
        }
    }

    /** A bundle entry's failure answer; a failure to send it is logged (the requesting router resends after its deadline). */
    private void answerQuietly(String toRouterId, LinkMessage.StoreRsp answer) {
        try {
            send(toRouterId, answer, null);
        } catch (IOException | RuntimeException e) {
            answersLog.occurred(toRouterId, System.Logger.Level.WARNING, "could not answer STORE_RQ of operation " + answer.operationId()
                    + " to router " + toRouterId + " (it resends that object after its deadline): " + FailureText.of(e));
        }
    }

    /** A frame without payload, sealed and stamped as in {@link #send}. */
    private void publish(String toRouterId, LinkMessage message) throws IOException {
        PublicKeys recipient = directory.apply(toRouterId);
        if (recipient == null) throw new IOException("no public keys for router " + toRouterId + " in the directory");
        publishFrame(toRouterId, recipient, BlobNames.random(), message, null);
    }

    /** Seals the frame (naming the payload blob, or null) with the next sequence number and puts it in the recipient's inbox. */
    private void publishFrame(String toRouterId, PublicKeys recipient, String frameId, LinkMessage message, String blob) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        Stamp stamp = Stamp.of(link.sequences().next(toRouterId), link.clock().millis());
        try (OutputStream sealed = Envelope.seal(bos, sessions, recipient, FRAME, frameId, stamp, true)) {
            sealed.write(LinkCodec.encode(message, blob));
        }
        inbox.publish(toRouterId, bos.toByteArray());
    }

    /**
     * Each answer of an admitted batch runs as if it had come alone, in its sender's answer lane;
     * a batch naming a payload is its sender's error (the payload is deleted, the answers still count).
     */
    private void dispatchBatch(Staged s, LinkMessage.StoreRspBatch batch, Listener listener) {
        String from = s.from();
        if (s.blob() != null) deleteQuietly(s.blob());
        Lane lane = Lane.of(from, batch);
        for (LinkMessage.StoreRsp answer : batch.answers()) {
            answered(from, answer.operationId());
            boolean queued = frames.execute(lane, answer.operationId(), () -> {
                try {
                    listener.onMessage(from, answer, null);
                } catch (IOException | RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "STORE_RSP of operation " + answer.operationId() + " from " + from + " failed: "
                            + FailureText.of(e));
                }
            });
            if (!queued) {
                busy.occurred(lane.toString(), System.Logger.Level.WARNING, "router " + from + " has too many frames waiting (" + lane.kind()
                        + "); dropped STORE_RSP of operation " + answer.operationId() + " (its object is resent after the deadline)");
            }
        }
    }

    @Override public CloudReach cloudReach() {
        return reach;
    }

    @Override public synchronized void start(Listener listener) {
        if (poller != null) throw new IllegalStateException("already started");
        poller = new Thread(() -> pollLoop(listener), "courier-" + routerId);
        poller.setDaemon(true);
        poller.start();
    }

    private void pollLoop(Listener listener) {
        long backoff = 1000;
        while (!closed) {
            List<Notifications.Notification> batch;
            try {
                batch = inbox.poll(Duration.ofSeconds(20));
            } catch (IOException | RuntimeException e) {
                if (closed) return;
                reach.failed(FailureText.of(e));
                inboxLog.occurred("poll", System.Logger.Level.WARNING, "inbox poll failed, retrying: " + FailureText.of(e));
                try {
                    Thread.sleep(backoff); // back off from a failing inbox (not a synchronisation)
                } catch (InterruptedException ie) {
                    return;
                }
                backoff = Math.min(POLL_BACKOFF_MAX_MILLIS, backoff * 2);
                continue;
            }
            // A poll may return messages to a thread interrupted by close(): they stay unacknowledged for the next instance.
            if (closed) return;
            backoff = 1000;
            reach.answered();
            inboxLog.cleared("poll", "inbox reachable again");
            try {
                receive(batch, listener);
            } catch (RuntimeException e) {
                // A defect judging one batch must not end the poller: every other router's frames would stop arriving.
                inboxLog.occurred("receive", System.Logger.Level.ERROR, "a batch of " + batch.size()
                        + " inbox message(s) could not be judged and stays unacknowledged (delivered again later): " + FailureText.of(e));
            }
        }
    }

    /** An authenticated, decoded frame (its message and the blob of its payload, or null), before the replay guard has judged it. */
    private record Staged(Notifications.Notification notification, String from, LinkMessage message, String blob, String frameId, Stamp stamp) {
        ReplayGuard.Message guarded() {
            // Requests get an answer that confirms their payload was consumed; instances of a retrieve do not.
            return new ReplayGuard.Message(from, stamp.sequence(), stamp.sentAtMillis(),
                    message instanceof LinkMessage.Request || message instanceof LinkMessage.StoreBundle);
        }
    }

    /**
     * The one place where frames enter: each is authenticated, size-checked and decoded to its typed
     * message (one that does not decode is refused: logged, acknowledged, its payload deleted), the
     * batch is judged by the replay guard (recorded as seen, with one forced write per sender), and
     * only then does a handler get an admitted message.
     */
    private void receive(List<Notifications.Notification> batch, Listener listener) {
        List<Staged> staged = new java.util.ArrayList<>(batch.size());
        for (Notifications.Notification n : batch) {
            Staged s = authenticate(n);
            if (s != null) staged.add(s);
        }
        if (staged.isEmpty()) return;
        ReplayGuard.Judged judged = link.replays().admit(staged.stream().map(Staged::guarded).toList());
        if (judged.failure() == null) replays.cleared(NOT_RECORDED, "the replay memory is written again");
        for (int i = 0; i < staged.size(); i++) judged(staged.get(i), judged.verdicts().get(i), judged.failure(), listener);
    }

    /** The message of an authentic notification; null (the notification acknowledged, the rejection logged) for any other. */
    private Staged authenticate(Notifications.Notification n) {
        Envelope.Opened opened = null;
        LinkCodec.Decoded decoded;
        String[] claimed = new String[1];
        try {
            opened = Envelope.open(new ByteArrayInputStream(n.payload()), sessions, id -> {
                claimed[0] = id;
                return directory.apply(id);
            });
            if (!FRAME.equals(opened.contentType())) throw new IOException("unexpected content type " + opened.contentType());
            // Read to the end first: the envelope detects truncation only there.
            decoded = LinkCodec.decode(new Bounded(opened.plaintext(), MAX_FRAME_BYTES, "the frame").readAllBytes());
        } catch (IOException | IllegalArgumentException e) {
            // An authentic frame that does not decode: the payload it names, its sender's own, is read by nobody.
            if (e instanceof LinkCodec.MalformedMessageException m && m.blob() != null && opened != null) deleteQuietly(m.blob());
            // Anything we cannot authenticate is dropped, never delivered. The claimed sender is unauthenticated: shown only if well-formed.
            String sender = claimed[0] != null && RouterRecord.ROUTER_ID.matcher(claimed[0]).matches() ? "router " + claimed[0] : "an unidentified sender";
            rejected.occurred(sender, System.Logger.Level.WARNING, "rejected a message in the inbox from " + sender + ": " + FailureText.of(e));
            ack(n);
            return null;
        }
        return new Staged(n, opened.senderId(), decoded.message(), decoded.blob(), opened.messageId(), opened.stamp());
    }

    private void judged(Staged s, ReplayGuard.Verdict verdict, IOException failure, Listener listener) {
        Notifications.Notification n = s.notification();
        String from = s.from();
        LinkMessage f = s.message();
        Stamp stamp = s.stamp();
        if (verdict == ReplayGuard.Verdict.NOT_RECORDED) {
            // Not recorded, so not run: left unacknowledged, the inbox delivers it again after its visibility timeout.
            replays.occurred(NOT_RECORDED, System.Logger.Level.WARNING, "cannot record " + f.type() + " of operation " + f.operationId()
                    + " from router " + from + " as seen, not running it now: " + (failure == null ? verdict.meaning() : FailureText.of(failure)));
            return;
        }
        if (verdict != ReplayGuard.Verdict.ADMITTED) {
            // Acknowledged (it would only come back) and dropped; its payload, if any, is left to its sender's journal and the
            // cloud's expiry: a replayed frame must not make us delete a blob a genuine frame may still name.
            replays.occurred(from + " " + verdict, System.Logger.Level.WARNING, "refused " + f.type() + " of operation " + f.operationId()
                    + " from router " + from + " (sequence " + stamp.sequence() + ", sent " + java.time.Instant.ofEpochMilli(stamp.sentAtMillis())
                    + "): " + verdict.meaning());
            ack(n);
            return;
        }
        if (f instanceof LinkMessage.StoreRspBatch batch) {
            ack(n);
            dispatchBatch(s, batch, listener);
            return;
        }
        String frameId = s.frameId();
        if (f instanceof LinkMessage.Answer) answered(from, f.operationId());
        // A bundle's entries reach the handler one by one, each as the C-STORE it is.
        Listener handler = f instanceof LinkMessage.StoreBundle bundle
                ? (sender, m, payload) -> BundleReader.deliver(sender, bundle, payload, listener, this::answerQuietly)
                : listener;
        // Acknowledged once authenticated, before it runs: a C-MOVE may take longer than the inbox's
        // visibility timeout, and must not be delivered (and run) again. The requesting router owns
        // retries (its spool, its timeouts), so a frame lost in a crash here is not lost for good.
        ack(n);
        Runnable task = () -> {
            String blob = s.blob();
            java.util.concurrent.atomic.AtomicBoolean deleted = new java.util.concurrent.atomic.AtomicBoolean();
            Runnable deleteBlob = () -> {
                if (deleted.compareAndSet(false, true)) deleteQuietly(blob);
            };
            try {
                if (blob == null) {
                    handler.onMessage(from, f, null);
                } else {
                    InputStream raw;
                    try {
                        raw = openPayload(blob);
                    } catch (java.io.FileNotFoundException | java.nio.file.NoSuchFileException gone) {
                        // Withdrawn by its sender (it stopped waiting) or swept: the handler answers a failure nobody may await.
                        LOG.log(System.Logger.Level.DEBUG, "payload of " + f.type() + " from " + from + " is gone: " + FailureText.of(gone));
                        handler.onMessage(from, f, failing(new IOException("the payload is no longer in the cloud (withdrawn by its sender)", gone)));
                        return;
                    } catch (IOException unreadable) {
                        // The cloud failed, the blob may be intact: it stays for its sender's journal and the cloud's expiry.
                        deleted.set(true);
                        LOG.log(System.Logger.Level.WARNING, "payload of " + f.type() + " from " + from + " could not be read from the cloud: "
                                + FailureText.of(unreadable));
                        handler.onMessage(from, f, failing(new IOException("the payload could not be read from the cloud", unreadable)));
                        return;
                    }
                    try (raw) {
                        InputStream plaintext;
                        try {
                            Envelope.Opened p = Envelope.open(raw, sessions, directory);
                            if (!PAYLOAD.equals(p.contentType()) || !p.senderId().equals(from) || !blob.equals(p.messageId())
                                    || !frameId.equals(p.stamp().boundTo())) {
                                throw new IOException("payload blob " + blob + " does not belong to its frame " + f.type() + " of operation "
                                        + f.operationId() + " from router " + from);
                            }
                            // Deleted as soon as read to its authenticated end, before the handler answers: an answer
                            // then means the payload is gone from the cloud, and the sender forgets it. Counted as it
                            // streams: past the limit the handler's read fails (and it deletes what it wrote).
                            plaintext = new Bounded(new ConsumedOnEnd(p.plaintext(), deleteBlob), link.maxPayloadBytes(),
                                    "the payload of " + f.type() + " from router " + from);
                        } catch (IOException rejected) {
                            // The frame is authentic but its payload is not: the handler sees the error on its
                            // first read and answers with a failure, so the sender learns of it at once.
                            LOG.log(System.Logger.Level.WARNING, "rejected payload of " + f.type() + " from " + from + ": " + FailureText.of(rejected));
                            plaintext = failing(rejected);
                        }
                        handler.onMessage(from, f, plaintext);
                    }
                }
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "frame " + f.type() + " of operation " + f.operationId() + " from " + from
                        + " failed: " + FailureText.of(e));
            } finally {
                if (blob != null) deleteBlob.run();
            }
        };
        // Frames of one operation run in order, one after another, in their sender's lane; a CANCEL has a lane of its
        // own, or it would wait behind the very C-FIND/C-MOVE it cancels (which runs until the PACS is done); a C-FIND
        // or C-ECHO is never queued behind C-STOREs, nor a C-STORE behind those to another, perhaps dead, device (Lane).
        Lane lane = frames.laneFor(Lane.of(from, f));
        if (frames.execute(lane, f.operationId(), task)) {
            busy.cleared(lane.toString(), "router " + from + " is served again (" + lane + ")");
        } else {
            refuseBusy(lane, f, s.blob());
        }
    }

    /**
     * The sender's queue is full: its payload is deleted (nothing will read it) and a request is
     * answered with a transient failure, so the sender retries later; answers and cancels are dropped.
     */
    private void refuseBusy(Lane lane, LinkMessage f, String blob) {
        String from = lane.senderId();
        busy.occurred(lane.toString(), System.Logger.Level.WARNING, "router " + from + " has too many frames waiting (" + lane
                + "); refused " + f.type() + " of operation " + f.operationId());
        if (blob != null) deleteQuietly(blob);
        if (f instanceof LinkMessage.StoreBundle bundle) {
            for (String op : bundle.operations()) {
                answerQuietly(from, new LinkMessage.StoreRsp(op, Status.OUT_OF_RESOURCES.code(), "router " + routerId
                        + " is busy with other requests from router " + from + ": try again later", Failure.TRANSIENT));
            }
            return;
        }
        // Answers, instances (their sender awaits no answer) and cancels are dropped.
        if (!(f instanceof LinkMessage.Request rq)) return;
        int status = rq instanceof LinkMessage.RetrieveRq
                ? Status.OUT_OF_RESOURCES_UNABLE_TO_PERFORM_SUB_OPERATIONS.code() : Status.OUT_OF_RESOURCES.code();
        try {
            send(from, rq.failed(status, "router " + routerId + " is busy with other requests from router "
                    + from + ": try again later", Failure.TRANSIENT), null);
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "could not answer " + f.type() + " of router " + from + ": " + FailureText.of(e));
        }
    }

    private static InputStream failing(IOException e) {
        return new InputStream() {
            @Override public int read() throws IOException {
                throw new IOException(FailureText.of(e), e);
            }

            @Override public int read(byte[] b, int off, int len) throws IOException {
                throw new IOException(FailureText.of(e), e);
            }
        };
    }

    /** Opens a payload, trying again after a failure of the cloud (not after "not found"): the frame is already recorded as seen. */
    private InputStream openPayload(String blob) throws IOException {
        for (int attempt = 1; ; attempt++) {
            try {
                return blobs.open(blob);
            } catch (java.io.FileNotFoundException | java.nio.file.NoSuchFileException gone) {
                throw gone;
            } catch (IOException e) {
                if (attempt >= PAYLOAD_OPEN_ATTEMPTS || closed) throw e;
                try {
                    Thread.sleep(attempt * 1000L); // back off from a failing cloud (not a synchronisation)
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    private void deleteQuietly(String blob) {
        try {
            blobs.delete(blob);
        } catch (IOException | RuntimeException e) {
            if (undeleted.size() < MAX_UNDELETED) undeleted.add(blob);
            deleteLog.occurred("delete", System.Logger.Level.WARNING, "could not delete a blob, will retry: " + FailureText.of(e));
        }
    }

    private void retryDeletes() {
        for (String blob : undeleted) {
            try {
                blobs.delete(blob);
                undeleted.remove(blob);
            } catch (IllegalArgumentException notAName) {
                undeleted.remove(blob); // never deletable: must not hold up the others
            } catch (IOException | RuntimeException e) {
                return; // the cloud is still away: the next round
            }
        }
        if (undeleted.isEmpty()) deleteLog.cleared("delete", "blobs can be deleted again");
    }

    private void ack(Notifications.Notification n) {
        try {
            acks.execute(() -> ackNow(n));
        } catch (java.util.concurrent.RejectedExecutionException closing) {
            ackNow(n);
        }
    }

    private void ackNow(Notifications.Notification n) {
        try {
            inbox.ack(n);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "could not acknowledge a notification: " + FailureText.of(e));
        }
    }

    @Override public void close() throws IOException {
        Bundler b = bundler;
        if (b != null) b.close(); // open bundles go before the cloud closes
        AnswerBatches batches = storeAnswers;
        if (batches != null) batches.close(); // what waits goes out before the inbox closes
        closed = true;
        Thread p = poller;
        if (p != null) {
            p.interrupt();
            // Nothing of this instance may judge a frame once close() returns: a restarted courier owns the inbox then.
            if (p != Thread.currentThread()) {
                try {
                    p.join(POLLER_STOP_MILLIS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                if (p.isAlive()) LOG.log(System.Logger.Level.WARNING, "the inbox poller of router " + routerId + " did not stop within "
                        + POLLER_STOP_MILLIS + " ms");
            }
        }
        frames.close();
        sweeper.shutdownNow();
        acks.shutdown(); // those queued still go: each one not sent only comes back
        try {
            if (!acks.awaitTermination(ACK_DRAIN_SECONDS, TimeUnit.SECONDS)) acks.shutdownNow();
        } catch (InterruptedException e) {
            acks.shutdownNow();
            Thread.currentThread().interrupt();
        }
        UploadJournal j = journal;
        if (j != null) j.close();
        inbox.close();
        blobs.close();
        link.close();
    }
}
