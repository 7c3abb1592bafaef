package org.dicomrelay.relay.bridge.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import org.dicomrelay.relay.bridge.ProviderAssignment;

/**
 * The signed directory's document, as the Bridge writes it. Routers read it record by record
 * ({@link org.dicomrelay.relay.bridge.SignedDirectory}) so that one malformed record is left out
 * rather than the whole directory refused.
 */
public record DirectoryDocument(String format, long version, String issuedAt, String expiresAt, List<Router> routers, List<Ae> aes,
                                List<Grant> access) {

    /** A router: its keys, the newest links of their rotation history, and its Cloud IO provider (null: none assigned). */
    public record Router(String routerId, PublicKeysJson publicKeys, List<KeyStep> keyHistory, ProviderAssignment provider) {}

    /** One set of keys in a router's history; {@code proof}, absent for the first, is the previous keys' signature over these. */
    public record KeyStep(String hpke, String signature, @JsonInclude(JsonInclude.Include.NON_NULL) String proof) {}

    /** An AE title, the router exporting it and the services it allows. */
    public record Ae(String aeTitle, String routerId, List<String> services) {}

    /** A grant of the access matrix the reading router is party to; {@code owner} exports {@code aeTitle}. */
    public record Grant(String routerId, String aeTitle, String owner, List<String> services) {}
}
