package org.dicomrelay.providers.nats;

import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.JetStreamSubscription;
import io.nats.client.Message;
import io.nats.client.PublishOptions;
import io.nats.client.PullRequestOptions;
import io.nats.client.PullSubscribeOptions;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.DeliverPolicy;
import io.nats.client.api.RetentionPolicy;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.impl.NatsJetStreamMetaData;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.dicomrelay.dicom.net.FailureText;
import org.dicomrelay.relay.cloud.Notifications;

/**
 * Cloud IO notifications on NATS JetStream: one work-queue stream for the relay, one subject per
 * router ({@code <subjectPrefix>.<routerId>}) and one durable pull consumer per router reading it,
 * with explicit acks and AckWait as the visibility timeout (a message not acknowledged in time is
 * delivered again). A poll pulls up to {@link #BATCH} messages and returns as soon as one came; a
 * notification's ID is its delivery's receipt handle ({@link DeliveryId}); acks are confirmed by the
 * server, a batch in one round trip; a late ack is refused ({@link DeliveryLedger}). Publishing is
 * confirmed too (the stream stored it), and only to a router whose consumer exists.
 */
public final class JetStreamNotifications implements Notifications {
    static final int BATCH = 100;
    /** Unacknowledged deliveries the server lets the consumer have at once (bounds the ledger, too). */
    static final int MAX_ACK_PENDING = 10_000;
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration SHORTEST_PULL = Duration.ofMillis(200);
    private static final Duration GATHER = Duration.ofMillis(5);
    /** Longest single wait within a poll: a pull lost to a reconnection is asked again within this. */
    private static final long WAIT_SLICE_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final byte[] ACK = "+ACK".getBytes(StandardCharsets.US_ASCII);
    // JetStream API error codes (nats-server's errors.json)
    private static final int CONSUMER_NOT_FOUND = 10014;
    private static final int STREAM_NAME_IN_USE = 10058;
    private static final int STREAM_NOT_FOUND = 10059;

    private final NatsSettings settings;
    private final String routerId;
    private final DeliveryLedger ledger = new DeliveryLedger();
    private final Set<String> recipientsSeen = ConcurrentHashMap.newKeySet();
    private final Object pollLock = new Object();
    private volatile Connection connection;
    private JetStreamSubscription subscription; // guarded by pollLock
    private long pullOpenUntil = System.nanoTime(); // when our outstanding pull request expires; guarded by pollLock
    private int pullCredits; // messages it may still bring; guarded by pollLock
    private volatile boolean pullLost; // a reconnection dropped it at the server
    private boolean closed;

    public JetStreamNotifications(NatsSettings settings, String routerId) {
        this.settings = settings;
        this.routerId = routerId;
        SubjectTokens.of(routerId); // a router ID NATS cannot carry fails here, not at the first poll
    }

    /** Connects on first use (and again after a failed attempt), so that a router starts while NATS is down. */
    private synchronized Connection connection() throws IOException {
        if (closed) throw new IOException("this router's NATS inbox is closed");
        if (connection == null) connection = NatsConnections.open(settings, routerId, () -> pullLost = true);
        return connection;
    }

    private JetStreamManagement management() throws IOException {
        return connection().jetStreamManagement();
    }

    private JetStreamSubscription subscription() throws IOException {
        if (subscription != null) return subscription;
        String consumer = settings.consumer(routerId);
        try {
            if (settings.create()) {
                createStream();
                management().addOrUpdateConsumer(settings.stream(), ConsumerConfiguration.builder().durable(consumer)
                        .filterSubject(settings.subject(routerId)).ackPolicy(AckPolicy.Explicit).ackWait(settings.visibilityTimeout())
                        .deliverPolicy(DeliverPolicy.All).maxAckPending(MAX_ACK_PENDING).maxDeliver(-1).build());
            } else {
                management().getConsumerInfo(settings.stream(), consumer);
            }
            JetStream js = connection().jetStream();
            subscription = js.subscribe(settings.subject(routerId), PullSubscribeOptions.bind(settings.stream(), consumer));
            return subscription;
        } catch (JetStreamApiException e) {
            if (!settings.create() && (e.getApiErrorCode() == CONSUMER_NOT_FOUND || e.getApiErrorCode() == STREAM_NOT_FOUND)) {
                throw new IOException("no JetStream consumer '" + consumer + "' on stream '" + settings.stream() + "' for this router's inbox (create it, or set "
                        + NatsSettings.CREATE + ": true)", e);
            }
            throw new IOException("NATS set-up of this router's inbox (stream '" + settings.stream() + "', consumer '" + consumer + "') failed: " + describe(e), e);
        } catch (RuntimeException e) {
            throw new IOException("NATS subscription to this router's inbox failed: " + FailureText.of(e), e);
        }
    }

    /** The relay's stream, made on first use by whichever router comes first (a concurrent maker wins harmlessly). */
    private void createStream() throws IOException, JetStreamApiException {
        try {
            management().getStreamInfo(settings.stream());
            return;
        } catch (JetStreamApiException e) {
            if (e.getApiErrorCode() != STREAM_NOT_FOUND) throw e;
        }
        try {
            management().addStream(StreamConfiguration.builder().name(settings.stream()).subjects(settings.streamSubjects())
                    .retentionPolicy(RetentionPolicy.WorkQueue).storageType(StorageType.File).build());
        } catch (JetStreamApiException e) {
            if (e.getApiErrorCode() != STREAM_NAME_IN_USE) throw e;
        }
    }

    @Override
    public void publish(String recipientRouterId, byte[] message) throws IOException {
        String subject;
        try {
            subject = settings.subject(recipientRouterId);
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
        if (!recipientsSeen.contains(recipientRouterId)) {
            // WorkQueue streams keep what no consumer reads: refuse instead of storing for a router that has no inbox.
            String consumer = settings.consumer(recipientRouterId);
            try {
                management().getConsumerInfo(settings.stream(), consumer);
            } catch (JetStreamApiException e) {
                if (e.getApiErrorCode() == CONSUMER_NOT_FOUND || e.getApiErrorCode() == STREAM_NOT_FOUND) {
                    throw new IOException("no NATS inbox for router '" + recipientRouterId + "' (no consumer '" + consumer + "' on stream '"
                            + settings.stream() + "': that router has not polled on provider nats yet)", e);
                }
                throw new IOException("NATS look-up of router '" + recipientRouterId + "''s inbox failed: " + describe(e), e);
            }
            recipientsSeen.add(recipientRouterId);
        }
        try {
            connection().jetStream().publish(subject, message, PublishOptions.builder().expectedStream(settings.stream()).build());
        } catch (JetStreamApiException e) {
            throw new IOException("NATS publish to router '" + recipientRouterId + "' refused: " + describe(e), e);
        } catch (IOException | RuntimeException e) {
            throw new IOException("NATS publish to router '" + recipientRouterId + "' failed: " + FailureText.of(e), e);
        }
    }

    /** This router's consumer (and the stream) exist before it takes work, so that another router's first request finds its inbox. */
    @Override
    public void prepare() throws IOException {
        synchronized (pollLock) {
            subscription();
        }
    }

    @Override
    public List<Notification> poll(Duration timeout) throws IOException {
        synchronized (pollLock) {
            JetStreamSubscription sub = subscription();
            long deadline = System.nanoTime() + timeout.toNanos();
            List<Notification> out = new ArrayList<>();
            try {
                while (out.isEmpty()) {
                    long now = System.nanoTime();
                    if (now - pullOpenUntil >= 0 || pullCredits <= 0 || pullLost) openPull(sub, Duration.ofNanos(Math.max(0, deadline - now)));
                    long wait = Math.max(TimeUnit.MILLISECONDS.toNanos(1), Math.min(WAIT_SLICE_NANOS, Math.min(deadline, pullOpenUntil) - now));
                    Message m = sub.nextMessage(Duration.ofNanos(wait));
                    if (m != null) add(m, out);
                    else if (System.nanoTime() - deadline >= 0) break;
                }
                while (out.size() < BATCH && pullCredits > 0) { // the rest of the batch, already on its way
                    Message m = sub.nextMessage(GATHER);
                    if (m == null) break;
                    add(m, out);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("NATS poll of this router's inbox interrupted");
            } catch (RuntimeException e) {
                pullOpenUntil = System.nanoTime(); // ask afresh next time
                throw new IOException("NATS poll of this router's inbox failed: " + FailureText.of(e), e);
            }
            return out;
        }
    }

    /** One pull request of up to BATCH messages, which the server keeps open until it expires. */
    private void openPull(JetStreamSubscription sub, Duration wait) {
        Duration expires = wait.compareTo(SHORTEST_PULL) < 0 ? SHORTEST_PULL : wait;
        pullLost = false;
        sub.pull(PullRequestOptions.builder(BATCH).expiresIn(expires).build());
        pullOpenUntil = System.nanoTime() + expires.toNanos();
        pullCredits = BATCH;
    }

    private void add(Message m, List<Notification> out) {
        pullCredits--;
        if (!m.isJetStream()) return; // a status the client handles itself
        NatsJetStreamMetaData meta = m.metaData();
        DeliveryId id = ledger.delivered(meta.streamSequence(), meta.consumerSequence(), m.getReplyTo());
        out.add(new Notification(id.text(), m.getData() == null ? new byte[0] : m.getData()));
    }

    @Override
    public void ack(Notification n) throws IOException {
        ack(List.of(n));
    }

    /** Sends every ack at once and waits for the server's confirmations (one round trip for the batch). */
    @Override
    public void ack(List<Notification> delivered) throws IOException {
        Connection c = connection();
        List<DeliveryId> sent = new ArrayList<>();
        List<CompletableFuture<Message>> confirmations = new ArrayList<>();
        int late = 0;
        for (Notification n : delivered) {
            DeliveryId d = DeliveryId.parse(n.id());
            if (!ledger.isCurrent(d)) {
                late++;
                continue;
            }
            sent.add(d);
            confirmations.add(c.request(d.ackSubject(), ACK));
        }
        int unconfirmed = 0;
        String cause = null;
        long deadline = System.nanoTime() + REQUEST_TIMEOUT.toNanos();
        for (int i = 0; i < sent.size(); i++) {
            try {
                confirmations.get(i).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                ledger.acknowledged(sent.get(i));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("NATS acknowledgement interrupted");
            } catch (ExecutionException | TimeoutException | java.util.concurrent.CancellationException e) {
                unconfirmed++;
                if (cause == null) cause = e instanceof TimeoutException ? "no confirmation within " + REQUEST_TIMEOUT.toSeconds() + " s" : FailureText.of(e);
            }
        }
        if (late > 0) {
            throw new IOException(late + " of " + delivered.size() + " NATS acknowledgements refused as late: the message was delivered again after its"
                    + " visibility timeout, and that later delivery is the one to acknowledge" + (unconfirmed > 0 ? "; " + unconfirmed + " more unconfirmed (" + cause + ")" : ""));
        }
        if (unconfirmed > 0) throw new IOException("NATS did not confirm " + unconfirmed + " of " + delivered.size() + " acknowledgements: " + cause);
    }

    private static String describe(JetStreamApiException e) {
        String d = e.getErrorDescription();
        return (d == null || d.isBlank() ? "JetStream API error" : d) + " (code " + e.getApiErrorCode() + ")";
    }

    @Override
    public void close() throws IOException {
        Connection c;
        synchronized (this) {
            closed = true;
            c = connection;
            connection = null;
        }
        if (c == null) return;
        try {
            c.close(); // unacknowledged deliveries come back after their AckWait
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("closing the NATS connection interrupted");
        }
    }
}
