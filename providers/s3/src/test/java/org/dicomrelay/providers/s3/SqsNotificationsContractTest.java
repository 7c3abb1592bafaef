package org.dicomrelay.providers.s3;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.dicomrelay.providers.emulators.ElasticMqServer;
import org.dicomrelay.providers.tck.NotificationsContract;
import org.dicomrelay.relay.cloud.CloudProvider;
import org.dicomrelay.relay.cloud.Notifications;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/** The Cloud IO notifications contract for provider "s3" with its SQS inbox, against ElasticMQ. */
class SqsNotificationsContractTest extends NotificationsContract {
    private static final Duration VISIBILITY = Duration.ofSeconds(2);
    private static ElasticMqServer elasticmq;
    private static SqsClient admin;
    private static final Set<String> queues = ConcurrentHashMap.newKeySet();

    @BeforeAll
    static void startElasticMq() {
        elasticmq = new ElasticMqServer();
        admin = AwsClients.sqs(elasticmq.endpoint(), "us-east-1", "x", "x");
    }

    @AfterAll
    static void stopElasticMq() {
        for (String q : queues) admin.deleteQueue(b -> b.queueUrl(q));
        if (admin != null) admin.close();
        if (elasticmq != null) elasticmq.close();
    }

    private Map<String, String> settings() {
        Map<String, String> s = new HashMap<>();
        s.put(SqsSettings.ENDPOINT, elasticmq.endpoint().toString());
        s.put(SqsSettings.VISIBILITY_SECONDS, Long.toString(VISIBILITY.toSeconds()));
        s.put(S3Settings.ACCESS_KEY_ID, "x");
        s.put(S3Settings.SECRET_ACCESS_KEY, "x");
        s.put(S3Settings.BUCKET, "unused");
        return s;
    }

    @Override
    protected Notifications openInbox(String routerId) throws Exception {
        Notifications n = CloudProvider.named("s3").notifications(settings(), routerId, null);
        n.poll(Duration.ZERO); // creates its queue, as a router's first poll does
        queues.add(admin.getQueueUrl(b -> b.queueName("dicom-relay-" + routerId)).queueUrl());
        return n;
    }

    @Override
    protected Duration visibilityTimeout() {
        return VISIBILITY;
    }

    @Override
    protected long messagesLeft(String routerId) {
        String url = admin.getQueueUrl(b -> b.queueName("dicom-relay-" + routerId)).queueUrl();
        Map<QueueAttributeName, String> a = admin.getQueueAttributes(b -> b.queueUrl(url).attributeNames(
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES, QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE)).attributes();
        return Long.parseLong(a.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES))
                + Long.parseLong(a.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE));
    }

    @Override
    protected Notifications openUnreachableInbox(String routerId) throws Exception {
        Map<String, String> s = settings();
        s.put(SqsSettings.ENDPOINT, "http://127.0.0.1:1");
        return CloudProvider.named("s3").notifications(s, routerId, null);
    }
}
