package org.dicomrelay.relay.bridge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.dicomrelay.relay.crypto.KeyRotation;

/**
 * The Bridge directory as a router sees it: one document the Bridge signed as a whole
 * ({@link SignedDirectory}), its signature already checked by {@link BridgeClient#directory()}.
 * Whether it is recent enough ({@link #version}, {@link #expiresAt}) is the router's decision.
 *
 * @param version   increases with every change at the Bridge; a router refuses one older than it saw
 * @param rejected  records left out because they are malformed (one line each, saying which and why)
 * @param access    the grants of the access matrix this router is party to (as requester or owner)
 * @param document  the whole signed JSON document as verified (for inspection); a copy is returned
 */
public record Directory(long version, Instant issuedAt, Instant expiresAt, List<Router> routers, List<AeRecord> aes,
                        List<String> rejected, AccessGrants access, JsonNode document) {

    public Directory {
        routers = List.copyOf(routers);
        aes = List.copyOf(aes);
        rejected = List.copyOf(rejected);
        if (access == null) access = AccessGrants.NONE;
        document = document == null ? MissingNode.getInstance() : document.deepCopy();
    }

    @Override
    public JsonNode document() {
        return document.deepCopy();
    }

    /**
     * A router's current keys, the history that leads to them (oldest first, the last link being
     * the current keys; each later link signed by the one before: {@link KeyRotation}), and its
     * Cloud IO provider assignment (null if none).
     */
    public record Router(RouterRecord record, List<KeyRotation.Step> keyHistory, ProviderAssignment assignment) {
        public Router {
            keyHistory = List.copyOf(keyHistory);
        }

        public String routerId() {
            return record.routerId();
        }

        /** The assigned provider's name, null if none. */
        public String provider() {
            return assignment == null ? null : assignment.name();
        }
    }

    public Optional<Router> router(String routerId) {
        return routers.stream().filter(r -> r.routerId().equals(routerId)).findFirst();
    }

    public Optional<AeRecord> ae(String aeTitle) {
        return aes.stream().filter(a -> a.aeTitle().equals(aeTitle)).findFirst();
    }
}
