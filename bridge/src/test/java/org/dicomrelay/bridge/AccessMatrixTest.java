package org.dicomrelay.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.dicomrelay.relay.bridge.AccessGrant;
import org.dicomrelay.relay.bridge.AccessGrants;
import org.dicomrelay.relay.bridge.AeConflictException;
import org.dicomrelay.relay.bridge.AeExport;
import org.dicomrelay.relay.bridge.BridgeClient;
import org.dicomrelay.relay.bridge.BridgeCredentials;
import org.dicomrelay.relay.bridge.Directory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9, point 4 at the Bridge: the access matrix (which router may use which services of which
 * AE title; default nothing) and AE titles that belong to the router that registered them until
 * an administrator releases them (the finding: "AE titles are claimed first come, first served").
 */
class AccessMatrixTest {

    @TempDir
    Path dir;

    private static String grant(String router, String ae, String... services) {
        return "{\"routerId\":\"" + router + "\",\"aeTitle\":\"" + ae + "\",\"services\":[\"" + String.join("\",\"", services) + "\"]}";
    }

    @Test
    void nothingIsGrantedByDefaultAndEachRouterSeesItsPartSigned() throws Exception {
        try (TestBridge bridge = new TestBridge(dir)) {
            BridgeCredentials ca = bridge.enroll("hospital-a");
            BridgeClient a = bridge.client(ca);
            BridgeClient b = bridge.client(bridge.enroll("hospital-b"));
            BridgeClient c = bridge.client(bridge.enroll("hospital-c"));
            b.publishAes(List.of(new AeExport("PACS_B", List.of("echo", "store", "find", "move", "get"))));
            assertThat(a.directory().access().grants()).as("default: nothing").isEmpty();

            HttpResponse<String> r = bridge.admin("PUT", "/api/admin/access", grant("hospital-a", "PACS_B", "find", "echo"));
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(TestBridge.json(r).get("owner").asText()).as("a grant names the AE's owner implicitly").isEqualTo("hospital-b");

            AccessGrant expected = new AccessGrant("hospital-a", "PACS_B", "hospital-b", List.of("echo", "find"));
            assertThat(a.directory().access().grants()).as("the requester's part").containsExactly(expected);
            assertThat(b.directory().access().grants()).as("the owner's part").containsExactly(expected);
            assertThat(c.directory().access().grants()).as("an unrelated router sees nothing of it").isEmpty();

            // the grants are inside the document the Bridge signs as a whole (altered in transit: DirectoryTest)
            JsonNode wire = TestBridge.json(bridge.call("GET", "/api/router/directory", ca.apiKey(), null));
            byte[] document = Base64.getDecoder().decode(wire.get("document").asText());
            assertThat(BridgeSigner.loadOrCreate(dir).verifies(Base64.getDecoder().decode(wire.get("signature").asText()),
                    org.dicomrelay.relay.bridge.SignedDirectory.signedBytes(document))).isTrue();
            assertThat(TestBridge.JSON.readTree(document).get("access").get(0).get("owner").asText()).isEqualTo("hospital-b");
        }
    }

    @Test
    void grantsAreReplacedRevokedPerServiceAndListed() throws Exception {
        try (TestBridge bridge = new TestBridge(dir)) {
            BridgeClient a = bridge.client(bridge.enroll("hospital-a"));
            BridgeClient b = bridge.client(bridge.enroll("hospital-b"));
            b.publishAes(List.of(new AeExport("PACS_B", List.of("echo", "store", "find", "move", "get"))));
            bridge.admin("PUT", "/api/admin/access", grant("hospital-a", "PACS_B", "find", "move", "get"));

            HttpResponse<String> r = bridge.admin("DELETE", "/api/admin/access?routerId=hospital-a&aeTitle=PACS_B&services=move", null);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(a.directory().access().services("hospital-a", "PACS_B", "hospital-b")).containsExactlyInAnyOrder("find", "get");

            JsonNode list = TestBridge.json(bridge.admin("GET", "/api/admin/access", null)).get("access");
            assertThat(list).hasSize(1);
            assertThat(list.get(0).get("services").toString()).isEqualTo("[\"find\",\"get\"]");
            assertThat(list.get(0).get("exported").asBoolean()).isTrue();

            assertThat(bridge.admin("DELETE", "/api/admin/access?routerId=hospital-a&aeTitle=PACS_B", null).statusCode()).isEqualTo(200);
            assertThat(a.directory().access().grants()).isEmpty();
            assertThat(bridge.admin("DELETE", "/api/admin/access?routerId=hospital-a&aeTitle=PACS_B", null).statusCode()).isEqualTo(404);
        }
    }

    @Test
    void badGrantsAreRefusedWithTheReason() throws Exception {
        try (TestBridge bridge = new TestBridge(dir)) {
            bridge.enroll("hospital-a");
            HttpResponse<String> unknown = bridge.admin("PUT", "/api/admin/access", grant("hospital-z", "PACS_B", "find"));
            assertThat(unknown.statusCode()).isEqualTo(404);
            assertThat(unknown.body()).contains("no router hospital-z");
            HttpResponse<String> service = bridge.admin("PUT", "/api/admin/access", grant("hospital-a", "PACS_B", "delete"));
            assertThat(service.statusCode()).isEqualTo(400);
            assertThat(service.body()).contains("unknown service 'delete'");
            assertThat(bridge.call("PUT", "/api/admin/access", null, grant("hospital-a", "PACS_B", "find")).statusCode())
                    .as("admin token required").isEqualTo(401);
        }
    }

    /** A grant made before the owner registers the title takes effect once it does; a revoked requester's grants go. */
    @Test
    void aGrantMayPrecedeTheAeAndGoesWithARevokedRequester() throws Exception {
        try (TestBridge bridge = new TestBridge(dir)) {
            BridgeClient a = bridge.client(bridge.enroll("hospital-a"));
            BridgeClient b = bridge.client(bridge.enroll("hospital-b"));
            assertThat(bridge.admin("PUT", "/api/admin/access", grant("hospital-a", "PACS_B", "store")).statusCode()).isEqualTo(200);
            assertThat(a.directory().access().grants()).as("nobody owns PACS_B yet").isEmpty();
            b.publishAes(List.of(new AeExport("PACS_B", List.of("store"))));
            assertThat(a.directory().access().services("hospital-a", "PACS_B", "hospital-b")).containsExactly("store");

            bridge.admin("POST", "/api/admin/routers/hospital-a/revoke", null);
            assertThat(b.directory().access().grants()).isEmpty();
            assertThat(TestBridge.json(bridge.admin("GET", "/api/admin/access", null)).get("access")).isEmpty();
        }
    }

    /** The finding "AE titles are claimed first come, first served": ownership persists until an administrator releases it. */
    @Test
    void anAeTitleStaysItsOwnersAfterItStopsExportingUntilReleased() throws Exception {
        try (TestBridge bridge = new TestBridge(dir)) {
            BridgeClient b = bridge.client(bridge.enroll("hospital-b"));
            BridgeCredentials cc = bridge.enroll("hospital-c");
            BridgeClient c = bridge.client(cc);
            b.publishAes(List.of(new AeExport("PACS_B", List.of("store"))));
            bridge.admin("PUT", "/api/admin/access", grant("hospital-c", "PACS_B", "store"));
            b.publishAes(List.of()); // hospital-b stops exporting it

            AeConflictException conflict = catchThrowableOfType(AeConflictException.class,
                    () -> c.publishAes(List.of(new AeExport("PACS_B", List.of("store", "find")))));
            assertThat(conflict.conflicts()).containsExactly(new AeConflictException.Conflict("PACS_B", "hospital-b"));
            assertThat(conflict).hasMessageContaining("owned by router hospital-b");
            bridge.restart();
            BridgeClient restarted = bridge.client(cc);
            assertThat(catchThrowableOfType(AeConflictException.class, () -> restarted.publishAes(List.of(new AeExport("PACS_B", List.of("store"))))))
                    .as("after a restart of the Bridge too").isNotNull();

            // released by the administrator: the grants on it go with it, and another router may register it
            HttpResponse<String> released = bridge.admin("POST", "/api/admin/aes/release", "{\"aeTitle\":\"PACS_B\"}");
            assertThat(released.statusCode()).isEqualTo(200);
            assertThat(TestBridge.json(released).get("formerOwner").asText()).isEqualTo("hospital-b");
            assertThat(TestBridge.json(released).get("grantsRemoved").asInt()).isEqualTo(1);
            restarted.publishAes(List.of(new AeExport("PACS_B", List.of("store"))));
            Directory d = restarted.directory();
            assertThat(d.ae("PACS_B")).get().extracting(a -> a.routerId()).isEqualTo("hospital-c");
            assertThat(d.access().grants()).as("the old grant does not follow the title to its new owner").isEmpty();
        }
    }

    @Test
    void anAeTitleStillExportedIsNotReleased() throws Exception {
        try (TestBridge bridge = new TestBridge(dir)) {
            BridgeClient b = bridge.client(bridge.enroll("hospital-b"));
            b.publishAes(List.of(new AeExport("PACS_B", List.of("store"))));
            HttpResponse<String> r = bridge.admin("POST", "/api/admin/aes/release", "{\"aeTitle\":\"PACS_B\"}");
            assertThat(r.statusCode()).isEqualTo(409);
            assertThat(r.body()).contains("router hospital-b still exports PACS_B");
            assertThat(bridge.admin("POST", "/api/admin/aes/release", "{\"aeTitle\":\"NOBODYS\"}").statusCode()).isEqualTo(404);
        }
    }
}
