package org.dicomrelay.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.dicomrelay.relay.bridge.AeExport;
import org.dicomrelay.relay.bridge.AeRecord;
import org.dicomrelay.relay.bridge.BridgeClient;
import org.dicomrelay.relay.bridge.BridgeCredentials;
import org.dicomrelay.relay.bridge.BridgeException;
import org.dicomrelay.relay.bridge.Directory;
import org.dicomrelay.relay.cloud.Notifications.Notification;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PersistenceTest {

    @TempDir
    Path dir;

    @Test
    void everythingSurvivesARestart() throws Exception {
        try (TestBridge bridge = new TestBridge(dir)) {
            BridgeCredentials ca = bridge.enroll("a");
            BridgeCredentials cb = bridge.enroll("b");
            BridgeCredentials cc = bridge.enroll("c");
            bridge.client(ca).publishAes(List.of(new AeExport("A_PACS", List.of("store", "find"))));
            bridge.admin("PUT", "/api/admin/routers/a/provider", "{\"name\":\"filesystem\",\"settings\":{\"root\":\"/srv\"}}");
            bridge.client(ca).publish("b", new byte[] {1, 2, 3});
            bridge.admin("POST", "/api/admin/routers/c/revoke", null);
            String spareToken = bridge.enrollmentToken("d");
            Directory before = bridge.client(ca).directory();

            bridge.restart();

            // same port not required: clients follow the new address, with the same pinned key and API keys
            BridgeClient a = bridge.client(ca);
            BridgeClient b = bridge.client(cb);
            Directory after = a.directory();
            assertThat(after.version()).isEqualTo(before.version());
            assertThat(after.routers()).isEqualTo(before.routers());
            assertThat(after.aes()).isEqualTo(before.aes());
            assertThat(after.ae("A_PACS")).get().isEqualTo(new AeRecord("A_PACS", "a", List.of("find", "store")));
            assertThat(a.provider()).get().satisfies(p -> assertThat(p.settings()).containsEntry("root", "/srv"));
            List<Notification> inbox = b.poll(Duration.ZERO);
            assertThat(inbox).singleElement().satisfies(n -> assertThat(n.payload()).containsExactly(1, 2, 3));
            assertThat(catchThrowableOfType(BridgeException.class, () -> bridge.client(cc).directory()).status()).isEqualTo(401);
            assertThat(BridgeClient.enroll(bridge.url(), spareToken, TestBridge.randomKeys("d")).routerId()).isEqualTo("d");
        }
    }
}
