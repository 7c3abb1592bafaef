package org.dicomrelay.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.dicomrelay.relay.bridge.AeExport;
import org.dicomrelay.relay.bridge.BridgeClient;
import org.dicomrelay.relay.bridge.BridgeCredentials;
import org.dicomrelay.relay.bridge.BridgeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RevocationTest {

    @TempDir
    Path dir;

    interface Call {
        void run() throws Exception;
    }

    private static void assertRevoked(Call call) {
        BridgeException e = catchThrowableOfType(BridgeException.class, call::run);
        assertThat(e).as("refused as revoked").isNotNull();
        assertThat(e.status()).isEqualTo(401);
        assertThat(e).hasMessageContaining("router revoked");
    }

    @Test
    void revokedRouterIsRefusedEverywhere() throws Exception {
        try (TestBridge bridge = new TestBridge(dir)) {
            BridgeClient a = bridge.client(bridge.enroll("a"));
            BridgeClient b = bridge.client(bridge.enroll("b"));
            a.publishAes(List.of(new AeExport("A_PACS", List.of("store", "find"))));
            bridge.admin("PUT", "/api/admin/routers/a/provider", "{\"name\":\"filesystem\",\"settings\":{\"root\":\"/srv/relay\"}}");
            b.publish("a", new byte[] {1});
            a.publish("b", new byte[] {2});
            String pendingForB = b.poll(Duration.ZERO).get(0).id();

            HttpResponse<String> r = bridge.admin("POST", "/api/admin/routers/a/revoke", null);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(TestBridge.json(r).get("status").asText()).isEqualTo("revoked");

            assertRevoked(a::directory);
            assertRevoked(a::provider);
            assertRevoked(() -> a.publishAes(List.of(new AeExport("A_OTHER", List.of("echo")))));
            assertRevoked(() -> a.publish("b", new byte[] {3}));
            assertRevoked(() -> a.poll(Duration.ZERO));
            assertRevoked(() -> a.poll(Duration.ofSeconds(5)));
            assertRevoked(() -> a.ack("1"));

            // gone from the directory, with its AE titles; others can't reach it any more
            var directory = b.directory();
            assertThat(directory.router("a")).isEmpty();
            assertThat(directory.ae("A_PACS")).isEmpty();
            BridgeException gone = catchThrowableOfType(BridgeException.class, () -> b.publish("a", new byte[] {4}));
            assertThat(gone.status()).isEqualTo(410);
            assertThat(bridge.count("SELECT COUNT(*) FROM inbox_messages WHERE recipient_id = 'a'")).isZero();
            // what "a" sent before revocation stays deliverable to "b"
            b.ack(pendingForB);

            // listed as revoked; revoking again is harmless
            JsonNode routers = TestBridge.json(bridge.admin("GET", "/api/admin/routers", null)).get("routers");
            assertThat(routers.get(0).get("status").asText()).isEqualTo("revoked");
            assertThat(routers.get(0).get("revokedAt").isNull()).isFalse();
            assertThat(bridge.admin("POST", "/api/admin/routers/a/revoke", null).statusCode()).isEqualTo(200);
            assertThat(bridge.admin("PUT", "/api/admin/routers/a/provider", "{\"name\":\"filesystem\"}").statusCode()).isEqualTo(409);
            assertThat(bridge.admin("POST", "/api/admin/routers/nobody/revoke", null).statusCode()).isEqualTo(404);
        }
    }

    @Test
    void revocationEndsAWaitingPollAndVoidsUnusedTokens() throws Exception {
        try (TestBridge bridge = new TestBridge(dir)) {
            String unused = bridge.enrollmentToken("a"); // issued before "a" enrolled (none is issued for an active router)
            BridgeCredentials creds = bridge.enroll("a");
            BridgeClient a = bridge.client(creds);
            CompletableFuture<Object> poll = CompletableFuture.supplyAsync(() -> {
                try {
                    return a.poll(Duration.ofSeconds(20));
                } catch (Exception e) {
                    throw new CompletionException(e);
                }
            });
            await().atMost(Duration.ofSeconds(10)).until(() -> bridge.server.inbox().waiting("a") == 1);
            bridge.admin("POST", "/api/admin/routers/a/revoke", null);

            Throwable failure = catchThrowableOfType(Exception.class, () -> poll.get(5, TimeUnit.SECONDS));
            assertThat(failure).hasCauseInstanceOf(BridgeException.class);
            assertThat(((BridgeException) failure.getCause()).status()).isEqualTo(401);

            BridgeException e = catchThrowableOfType(BridgeException.class,
                    () -> BridgeClient.enroll(bridge.url(), unused, TestBridge.randomKeys("a")));
            assertThat(e.status()).isIn(401, 409);
        }
    }
}
