package org.dicomrelay.providers.azure;

import com.azure.core.util.Context;
import com.azure.storage.queue.QueueClient;
import com.azure.storage.queue.QueueServiceClient;
import com.azure.storage.queue.models.QueueMessageItem;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.dicomrelay.relay.cloud.Notifications;

/**
 * Cloud IO notifications on Azure Queue Storage: one queue per router ({@link QueueNames}). A poll
 * receives up to 32 messages (the service's batch), each invisible to other receives for the
 * visibility timeout. A notification's ID is its message ID and pop receipt: the service deletes
 * only with the pop receipt of the latest delivery, so an ack of an earlier delivery fails
 * (PopReceiptMismatch) and the message delivered since stays. Azure Queue has no long poll (a
 * poll asks again with a growing pause, at most {@link #MAX_PAUSE}) and no batched delete (an ack
 * of several is one Delete Message each). Payloads travel base64-encoded: up to {@link #MAX_PAYLOAD} bytes.
 */
public final class QueueNotifications implements Notifications {
    /** Azure takes messages up to 64 KiB; base64 makes 4 characters of 3 bytes. */
    public static final int MAX_PAYLOAD = 64 * 1024 / 4 * 3;
    private static final int MAX_BATCH = 32;
    private static final Duration FIRST_PAUSE = Duration.ofMillis(25);
    private static final Duration MAX_PAUSE = Duration.ofMillis(500);
    private static final int NOT_FOUND = 404;

    private final QueueServiceClient service;
    private final AzureSettings settings;
    private final QueueClient own;
    private volatile boolean ownReady;

    public QueueNotifications(AzureSettings settings, String routerId) {
        this.service = AzureClients.queues(settings);
        this.settings = settings;
        this.own = service.getQueueClient(QueueNames.of(settings.queuePrefix(), routerId));
    }

    /** Our own inbox, created on first use when the settings allow it. */
    private QueueClient ownQueue() throws IOException {
        if (ownReady) return own;
        try {
            if (settings.createQueue()) own.createIfNotExists();
            else own.getProperties();
        } catch (RuntimeException e) {
            if (AzureFailures.status(e) == NOT_FOUND) {
                throw new IOException("no Azure queue '" + own.getQueueName() + "' for this router's inbox (create it, or set "
                        + AzureSettings.CREATE_QUEUE + ": true)", e);
            }
            throw AzureFailures.io("Azure Queue set-up of this router's inbox '" + own.getQueueName() + "'", e);
        }
        ownReady = true;
        return own;
    }

    /** Creates (or, with createQueue false, checks) this router's inbox queue. */
    @Override
    public void prepare() throws IOException {
        ownQueue();
    }

    @Override
    public void publish(String recipientRouterId, byte[] message) throws IOException {
        if (message.length > MAX_PAYLOAD) {
            throw new IOException("notification of " + message.length + " bytes is over Azure Queue's limit (" + MAX_PAYLOAD + " bytes)");
        }
        QueueClient queue = service.getQueueClient(QueueNames.of(settings.queuePrefix(), recipientRouterId));
        try {
            queue.sendMessage(Base64.getEncoder().encodeToString(message));
        } catch (RuntimeException e) {
            if (AzureFailures.status(e) == NOT_FOUND) {
                throw new IOException("no Azure inbox for router '" + recipientRouterId + "' (queue '" + queue.getQueueName() + "' does not exist)", e);
            }
            throw AzureFailures.io("Azure Queue publish to router '" + recipientRouterId + "'", e);
        }
    }

    @Override
    public List<Notification> poll(Duration timeout) throws IOException {
        QueueClient queue = ownQueue();
        long deadline = System.nanoTime() + timeout.toNanos();
        Duration pause = FIRST_PAUSE;
        while (true) {
            List<Notification> got = receive(queue);
            long left = deadline - System.nanoTime();
            if (!got.isEmpty() || left <= 0) return got;
            try {
                Thread.sleep(Math.min(pause.toMillis(), Math.max(1, left / 1_000_000)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted waiting for notifications");
            }
            pause = pause.multipliedBy(2).compareTo(MAX_PAUSE) > 0 ? MAX_PAUSE : pause.multipliedBy(2);
        }
    }

    private List<Notification> receive(QueueClient queue) throws IOException {
        List<Notification> out = new ArrayList<>();
        try {
            for (QueueMessageItem m : queue.receiveMessages(MAX_BATCH, settings.visibilityTimeout(), null, Context.NONE)) {
                out.add(new Notification(ReceiptHandle.of(m.getMessageId(), m.getPopReceipt()), payload(m.getMessageText())));
            }
        } catch (RuntimeException e) {
            throw AzureFailures.io("Azure Queue receive from this router's inbox '" + queue.getQueueName() + "'", e);
        }
        return out;
    }

    private static byte[] payload(String text) {
        try {
            return Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException notOurs) {
            // Not written by a router (not base64): delivered as its text, for the courier to reject and ack.
            return text.getBytes(StandardCharsets.UTF_8);
        }
    }

    @Override
    public void ack(Notification n) throws IOException {
        QueueClient queue = ownQueue();
        ReceiptHandle h;
        try {
            h = ReceiptHandle.parse(n.id());
        } catch (IllegalArgumentException e) {
            throw new IOException("Azure Queue acknowledgement refused: " + e.getMessage(), e);
        }
        try {
            queue.deleteMessage(h.messageId(), h.popReceipt());
        } catch (RuntimeException e) {
            if (AzureFailures.status(e) == NOT_FOUND) {
                throw new IOException("Azure Queue did not acknowledge a notification: it was delivered again since, or acknowledged already ("
                        + AzureFailures.describe(e) + ")", e);
            }
            throw AzureFailures.io("Azure Queue acknowledgement of a notification", e);
        }
    }

    /** One Delete Message each (Azure Queue has no batched delete); all are tried, the first failure is thrown. */
    @Override
    public void ack(List<Notification> delivered) throws IOException {
        IOException first = null;
        int failed = 0;
        for (Notification n : delivered) {
            try {
                ack(n);
            } catch (IOException e) {
                failed++;
                if (first == null) first = e;
            }
        }
        if (first != null) {
            throw new IOException("Azure Queue did not acknowledge " + failed + " of " + delivered.size() + " notifications (first: "
                    + first.getMessage() + ")", first);
        }
    }

    @Override
    public void close() {
        // the SDK's clients hold no resources of their own beyond the shared HTTP client
    }
}
