package org.dicomrelay.providers.s3;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.dicomrelay.relay.cloud.Notifications;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.BatchResultErrorEntry;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueDoesNotExistException;

/**
 * Cloud IO notifications on Amazon SQS (or ElasticMQ): one standard queue per router, named
 * {@code queuePrefix + routerId}. A poll is one long-poll receive of up to 10 messages, each
 * invisible to other receives for the visibility timeout; a notification's ID is its receipt
 * handle, so an ack of an earlier delivery does not delete a message delivered again since (SQS
 * answers it without deleting). Payloads travel base64-encoded (message bodies are text): up to
 * {@link #MAX_PAYLOAD} bytes.
 */
public final class SqsNotifications implements Notifications {
    /** SQS takes messages up to 256 KiB; base64 makes 4 characters of 3 bytes. */
    public static final int MAX_PAYLOAD = 256 * 1024 / 4 * 3;
    private static final int MAX_BATCH = 10; // SQS's limit for receive and batched delete
    private static final int MAX_WAIT_SECONDS = 20; // SQS's longest long poll

    private final SqsClient sqs;
    private final SqsSettings settings;
    private final String routerId;
    private final Map<String, String> queueUrls = new ConcurrentHashMap<>();

    public SqsNotifications(SqsSettings settings, String routerId) {
        this(AwsClients.sqs(settings.endpoint(), settings.region(), settings.accessKeyId(), settings.secretAccessKey()), settings, routerId);
    }

    SqsNotifications(SqsClient sqs, SqsSettings settings, String routerId) {
        this.sqs = sqs;
        this.settings = settings;
        this.routerId = routerId;
    }

    /** Our own inbox's queue URL, created on first use when the settings allow it. */
    private String ownQueue() throws IOException {
        String url = queueUrls.get(routerId);
        if (url != null) return url;
        String name = settings.queueName(routerId);
        try {
            url = sqs.getQueueUrl(b -> b.queueName(name)).queueUrl();
        } catch (QueueDoesNotExistException e) {
            if (!settings.createQueue()) throw new IOException("no SQS queue '" + name + "' for this router's inbox (create it, or set "
                    + SqsSettings.CREATE_QUEUE + ": true)", e);
            try {
                url = sqs.createQueue(b -> b.queueName(name)).queueUrl();
            } catch (SdkException c) {
                throw AwsFailures.io("SQS creation of this router's inbox queue '" + name + "'", c);
            }
        } catch (SdkException e) {
            throw AwsFailures.io("SQS look-up of this router's inbox queue '" + name + "'", e);
        }
        queueUrls.put(routerId, url);
        return url;
    }

    private String queueOf(String recipient) throws IOException {
        String url = queueUrls.get(recipient);
        if (url != null) return url;
        String name = settings.queueName(recipient);
        try {
            url = sqs.getQueueUrl(b -> b.queueName(name)).queueUrl();
        } catch (QueueDoesNotExistException e) {
            throw new IOException("no SQS inbox for router '" + recipient + "' (queue '" + name + "' does not exist)", e);
        } catch (SdkException e) {
            throw AwsFailures.io("SQS look-up of router '" + recipient + "''s inbox queue", e);
        }
        queueUrls.put(recipient, url);
        return url;
    }

    /** Creates (or, with createQueue false, checks) this router's inbox queue. */
    @Override
    public void prepare() throws IOException {
        ownQueue();
    }

    @Override
    public void publish(String recipientRouterId, byte[] message) throws IOException {
        if (message.length > MAX_PAYLOAD) {
            throw new IOException("notification of " + message.length + " bytes is over SQS's limit (" + MAX_PAYLOAD + " bytes)");
        }
        String url = queueOf(recipientRouterId);
        String body = Base64.getEncoder().encodeToString(message);
        try {
            sqs.sendMessage(b -> b.queueUrl(url).messageBody(body));
        } catch (QueueDoesNotExistException e) {
            queueUrls.remove(recipientRouterId, url);
            throw new IOException("no SQS inbox for router '" + recipientRouterId + "' (its queue was deleted)", e);
        } catch (SdkException e) {
            throw AwsFailures.io("SQS publish to router '" + recipientRouterId + "'", e);
        }
    }

    @Override
    public List<Notification> poll(Duration timeout) throws IOException {
        String url = ownQueue();
        int wait = (int) Math.min(MAX_WAIT_SECONDS, Math.max(0, (timeout.toMillis() + 999) / 1000));
        List<Message> got;
        try {
            got = sqs.receiveMessage(b -> b.queueUrl(url).maxNumberOfMessages(MAX_BATCH).waitTimeSeconds(wait)
                    .visibilityTimeout((int) settings.visibilityTimeout().toSeconds())).messages();
        } catch (SdkException e) {
            throw AwsFailures.io("SQS receive from this router's inbox", e);
        }
        List<Notification> out = new ArrayList<>(got.size());
        for (Message m : got) {
            byte[] payload;
            try {
                payload = Base64.getDecoder().decode(m.body());
            } catch (IllegalArgumentException notOurs) {
                // Not written by a router (its body is not base64): delivered as its text, for the courier to reject and ack.
                payload = m.body().getBytes(java.nio.charset.StandardCharsets.UTF_8);
            }
            out.add(new Notification(m.receiptHandle(), payload));
        }
        return out;
    }

    @Override
    public void ack(Notification n) throws IOException {
        String url = ownQueue();
        try {
            sqs.deleteMessage(b -> b.queueUrl(url).receiptHandle(n.id()));
        } catch (SdkException e) {
            throw AwsFailures.io("SQS acknowledgement of a notification", e);
        }
    }

    /** Deletes in batches of 10 (SQS's DeleteMessageBatch). */
    @Override
    public void ack(List<Notification> delivered) throws IOException {
        String url = ownQueue();
        List<BatchResultErrorEntry> failed = new ArrayList<>();
        for (int from = 0; from < delivered.size(); from += MAX_BATCH) {
            List<DeleteMessageBatchRequestEntry> entries = new ArrayList<>();
            for (int i = from; i < Math.min(delivered.size(), from + MAX_BATCH); i++) {
                entries.add(DeleteMessageBatchRequestEntry.builder().id(Integer.toString(i)).receiptHandle(delivered.get(i).id()).build());
            }
            try {
                failed.addAll(sqs.deleteMessageBatch(b -> b.queueUrl(url).entries(entries)).failed());
            } catch (SdkException e) {
                throw AwsFailures.io("SQS batched acknowledgement of " + entries.size() + " notifications", e);
            }
        }
        if (!failed.isEmpty()) {
            throw new IOException("SQS did not acknowledge " + failed.size() + " of " + delivered.size() + " notifications (first: "
                    + failed.get(0).code() + ")");
        }
    }

    @Override
    public void close() {
        sqs.close();
    }
}
