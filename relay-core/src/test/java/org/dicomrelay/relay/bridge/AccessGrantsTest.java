package org.dicomrelay.relay.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The access part of a directory document (its signature is checked as a whole by
 * {@link SignedDirectory}): well-formed grants are taken, each cell once; the rest is reported.
 */
class AccessGrantsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static ObjectNode grant(AccessGrant g) {
        ObjectNode n = JSON.createObjectNode().put("routerId", g.routerId()).put("aeTitle", g.aeTitle()).put("owner", g.ownerRouterId());
        g.services().forEach(n.putArray("services")::add);
        return n;
    }

    @Test void wellFormedGrantsAreTakenAndTheRestIsReported() {
        AccessGrant find = new AccessGrant("hospital-a", "PACS_B", "hospital-b", List.of("find"));
        AccessGrant twice = new AccessGrant("hospital-c", "PACS_B", "hospital-b", List.of("echo"));
        ObjectNode doc = JSON.createObjectNode();
        ArrayNode access = doc.putArray("access");
        access.add(grant(find));
        access.add(grant(twice));
        access.add(grant(new AccessGrant("hospital-c", "PACS_B", "hospital-b", List.of("store"))));
        access.add(JSON.createObjectNode().put("routerId", "hospital-e").put("aeTitle", "PACS_B"));
        access.add(grant(new AccessGrant("hospital-f", "PACS_B", "hospital-b", List.of("find"))).put("owner", "Not A Router Id"));

        List<String> rejected = new ArrayList<>();
        AccessGrants grants = AccessGrants.parse(doc, rejected);
        assertThat(grants.grants()).containsExactly(find);
        assertThat(rejected).hasSize(3)
                .anyMatch(r -> r.startsWith("malformed access grant hospital-e -> PACS_B"))
                .anyMatch(r -> r.startsWith("malformed access grant hospital-f -> PACS_B"))
                .anyMatch(r -> r.equals("access grant hospital-c -> PACS_B is listed twice"));
        assertThat(grants.services("hospital-a", "PACS_B", "hospital-b")).containsExactly("find");
        assertThat(grants.services("hospital-a", "PACS_B", "hospital-x")).as("the owner is part of the grant").isEmpty();
    }

    @Test void aDocumentWithoutAnAccessPartGrantsNothing() {
        assertThat(AccessGrants.parse(JSON.createObjectNode(), new ArrayList<>()).grants()).isEmpty();
    }
}
