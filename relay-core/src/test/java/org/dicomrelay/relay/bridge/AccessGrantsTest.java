package org.dicomrelay.relay.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.PublicKeySign;
import com.google.crypto.tink.PublicKeyVerify;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.signature.PredefinedSignatureParameters;
import com.google.crypto.tink.signature.SignatureConfig;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The access part of a directory document: only grants the pinned Bridge key signed, each cell once. */
class AccessGrantsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static PublicKeySign bridge;
    private static PublicKeyVerify pinned;

    @BeforeAll static void keys() throws Exception {
        SignatureConfig.register();
        KeysetHandle k = KeysetHandle.generateNew(PredefinedSignatureParameters.ED25519);
        bridge = k.getPrimitive(RegistryConfiguration.get(), PublicKeySign.class);
        pinned = k.getPublicKeysetHandle().getPrimitive(RegistryConfiguration.get(), PublicKeyVerify.class);
    }

    private static ObjectNode signed(AccessGrant g) throws Exception {
        ObjectNode n = JSON.createObjectNode().put("routerId", g.routerId()).put("aeTitle", g.aeTitle()).put("owner", g.ownerRouterId());
        g.services().forEach(n.putArray("services")::add);
        return n.put("signature", Base64.getEncoder().encodeToString(bridge.sign(g.signedBytes())));
    }

    @Test void signedGrantsAreTakenAndTheRestIsReported() throws Exception {
        AccessGrant find = new AccessGrant("hospital-a", "PACS_B", "hospital-b", List.of("find"));
        AccessGrant twice = new AccessGrant("hospital-c", "PACS_B", "hospital-b", List.of("echo"));
        ObjectNode doc = JSON.createObjectNode();
        ArrayNode access = doc.putArray("access");
        access.add(signed(find));
        access.add(signed(twice));
        access.add(signed(new AccessGrant("hospital-c", "PACS_B", "hospital-b", List.of("store"))));
        // moved to another owner after signing: the signature covers the owner
        access.add(signed(new AccessGrant("hospital-d", "PACS_B", "hospital-b", List.of("find"))).put("owner", "hospital-x"));
        access.add(JSON.createObjectNode().put("routerId", "hospital-e").put("aeTitle", "PACS_B"));

        List<String> rejected = new ArrayList<>();
        AccessGrants grants = AccessGrants.parse(doc, pinned, rejected);
        assertThat(grants.grants()).containsExactly(find);
        assertThat(rejected).hasSize(3)
                .anyMatch(r -> r.contains("hospital-d -> PACS_B") && r.contains("does not verify"))
                .anyMatch(r -> r.startsWith("malformed access grant hospital-e -> PACS_B"))
                .anyMatch(r -> r.equals("access grant hospital-c -> PACS_B is listed twice"));
        assertThat(grants.services("hospital-a", "PACS_B", "hospital-b")).containsExactly("find");
        assertThat(grants.services("hospital-a", "PACS_B", "hospital-x")).isEmpty();
    }

    @Test void aDocumentWithoutAnAccessPartGrantsNothing() {
        assertThat(AccessGrants.parse(JSON.createObjectNode(), pinned, new ArrayList<>()).grants()).isEmpty();
    }
}
