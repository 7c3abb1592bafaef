package org.dicomrelay.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.dicomrelay.relay.bridge.BridgeClient;
import org.dicomrelay.relay.bridge.BridgeCredentials;
import org.dicomrelay.relay.cloud.Notifications.Notification;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The inbox's batched acknowledgement ({@code POST /api/router/inbox-acks}): one request deletes
 * many deliveries, with the same receipt-handle rule as the single DELETE (a delivery ID acks only
 * that delivery, so a late ack never deletes a notification delivered again since).
 */
class InboxBatchAckTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void oneRequestAcknowledgesEveryDeliveryItNames() throws Exception {
        try (TestBridge bridge = new TestBridge(dir)) {
            BridgeClient a = bridge.client(bridge.enroll("a"));
            BridgeCredentials cb = bridge.enroll("b");
            BridgeClient b = bridge.client(cb);
            int n = 40;
            for (int i = 0; i < n; i++) a.publish("b", new byte[] {(byte) i});
            List<Notification> got = b.poll(Duration.ZERO);
            assertThat(got).hasSize(n);

            HttpResponse<String> r = bridge.call("POST", "/api/router/inbox-acks", cb.apiKey(), body(got.stream().map(Notification::id).toList()));

            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(notAcknowledged(r)).isEmpty();
            assertThat(bridge.count("SELECT COUNT(*) FROM inbox_messages")).isZero();
        }
    }

    @Test
    void aLateAckInABatchLeavesTheRedeliveredNotificationAndSaysSo() throws Exception {
        try (TestBridge bridge = new TestBridge(dir, c -> c.visibilityTimeout(Duration.ofSeconds(1)))) {
            BridgeClient a = bridge.client(bridge.enroll("a"));
            BridgeCredentials cb = bridge.enroll("b");
            BridgeClient b = bridge.client(cb);
            a.publish("b", new byte[] {1});
            a.publish("b", new byte[] {2});
            List<Notification> first = b.poll(Duration.ZERO);
            assertThat(first).hasSize(2);
            List<Notification> again = new ArrayList<>(); // after the visibility timeout: both delivered again
            for (int polls = 0; polls < 10 && again.size() < 2; polls++) again.addAll(b.poll(Duration.ofSeconds(20)));
            assertThat(again).hasSize(2);

            // the first delivery's receipts are late; the second's of the notification {2} is current
            List<String> ids = new ArrayList<>(first.stream().map(Notification::id).toList());
            Notification current = again.stream().filter(x -> x.payload()[0] == 2).findFirst().orElseThrow();
            ids.add(current.id());
            HttpResponse<String> r = bridge.call("POST", "/api/router/inbox-acks", cb.apiKey(), body(ids));

            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(notAcknowledged(r)).containsExactlyInAnyOrderElementsOf(first.stream().map(Notification::id).toList());
            assertThat(bridge.count("SELECT COUNT(*) FROM inbox_messages")).as("{1}, delivered again, is still there").isOne();
            // the client's batched ack takes "not acknowledged" as done, like the single DELETE's 404
            b.ack(first.stream().map(Notification::id).toList());
            assertThat(bridge.count("SELECT COUNT(*) FROM inbox_messages")).isOne();
            b.ack(again.stream().map(Notification::id).toList());
            assertThat(bridge.count("SELECT COUNT(*) FROM inbox_messages")).isZero();
        }
    }

    @Test
    void aRouterCannotAcknowledgeAnotherRoutersNotifications() throws Exception {
        try (TestBridge bridge = new TestBridge(dir)) {
            BridgeClient a = bridge.client(bridge.enroll("a"));
            BridgeClient b = bridge.client(bridge.enroll("b"));
            String cKey = bridge.enroll("c").apiKey();
            a.publish("b", new byte[] {1});
            String id = b.poll(Duration.ZERO).get(0).id();

            HttpResponse<String> r = bridge.call("POST", "/api/router/inbox-acks", cKey, body(List.of(id, "not-an-id")));

            assertThat(notAcknowledged(r)).containsExactly("not-an-id", id);
            assertThat(bridge.count("SELECT COUNT(*) FROM inbox_messages")).isOne();
        }
    }

    @Test
    void aBatchIsBoundedAndMustBeAListOfIds() throws Exception {
        try (TestBridge bridge = new TestBridge(dir)) {
            String key = bridge.enroll("b").apiKey();
            List<String> tooMany = new ArrayList<>();
            for (int i = 0; i <= BridgeApi.MAX_ACKS_PER_REQUEST; i++) tooMany.add(i + "-1");
            HttpResponse<String> r = bridge.call("POST", "/api/router/inbox-acks", key, body(tooMany));
            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(r.body()).contains("at most " + BridgeApi.MAX_ACKS_PER_REQUEST);
            assertThat(bridge.call("POST", "/api/router/inbox-acks", key, "{\"ids\": \"1-1\"}").statusCode()).isEqualTo(400);
            assertThat(bridge.call("POST", "/api/router/inbox-acks", key, "{\"ids\": [1]}").statusCode()).isEqualTo(400);
        }
    }

    /** The client sends more IDs than one request takes in several requests. */
    @Test
    void theClientSplitsALongListIntoRequestsTheBridgeTakes() throws Exception {
        try (TestBridge bridge = new TestBridge(dir)) {
            BridgeClient a = bridge.client(bridge.enroll("a"));
            BridgeClient b = bridge.client(bridge.enroll("b"));
            int n = BridgeApi.MAX_ACKS_PER_REQUEST + 30;
            for (int i = 0; i < n; i++) a.publish("b", new byte[] {(byte) i});
            List<String> ids = new ArrayList<>();
            while (ids.size() < n) for (Notification x : b.poll(Duration.ZERO)) ids.add(x.id());
            b.ack(ids);
            assertThat(bridge.count("SELECT COUNT(*) FROM inbox_messages")).isZero();
        }
    }

    /** The acknowledgements of one poll ride on the next: no request of their own, the same receipt-handle rule. */
    @Test
    void aPollCarriesTheAcknowledgementsOfThePreviousOne() throws Exception {
        try (TestBridge bridge = new TestBridge(dir, c -> c.visibilityTimeout(Duration.ofSeconds(1)))) {
            BridgeClient a = bridge.client(bridge.enroll("a"));
            BridgeCredentials cb = bridge.enroll("b");
            BridgeClient b = bridge.client(cb);
            assertThat(b.acknowledgesInPolls()).isTrue();
            for (int i = 0; i < 3; i++) a.publish("b", new byte[] {(byte) i});
            List<Notification> first = b.poll(Duration.ZERO, "poller-1", List.of());
            assertThat(first).hasSize(3);

            HttpResponse<String> r = bridge.call("GET", "/api/router/inbox?waitSeconds=0&poller=poller-1&ack="
                    + first.get(0).id() + "," + first.get(1).id(), cb.apiKey(), null);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue(BridgeApi.ACKNOWLEDGED_HEADER)).contains("2");
            assertThat(bridge.count("SELECT COUNT(*) FROM inbox_messages")).isOne();

            // the third comes back after its visibility timeout: its first delivery's receipt, carried late, deletes nothing
            List<Notification> again = new ArrayList<>();
            for (int polls = 0; polls < 10 && again.isEmpty(); polls++) again.addAll(b.poll(Duration.ofSeconds(20), "poller-1", List.of()));
            assertThat(again).hasSize(1);
            assertThat(b.poll(Duration.ZERO, "poller-1", List.of(first.get(2).id()))).isEmpty();
            assertThat(bridge.count("SELECT COUNT(*) FROM inbox_messages")).isOne();
            assertThat(b.poll(Duration.ZERO, "poller-1", List.of(again.get(0).id()))).isEmpty();
            assertThat(bridge.count("SELECT COUNT(*) FROM inbox_messages")).isZero();

            assertThat(bridge.call("GET", "/api/router/inbox?waitSeconds=0&ack=1-1,x", cb.apiKey(), null).statusCode()).isEqualTo(400);
        }
    }

    private static String body(List<String> ids) throws Exception {
        return JSON.writeValueAsString(java.util.Map.of("ids", ids));
    }

    private static List<String> notAcknowledged(HttpResponse<String> r) throws Exception {
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode n = JSON.readTree(r.body()).get("notAcknowledged");
        List<String> out = new ArrayList<>();
        n.forEach(x -> out.add(x.asText()));
        return out;
    }
}
