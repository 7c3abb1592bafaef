package org.dicomrelay.bridge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.dicomrelay.relay.bridge.AccessGrant;
import org.dicomrelay.relay.bridge.AeRecord;
import org.dicomrelay.relay.bridge.RouterRecord;
import org.dicomrelay.relay.bridge.api.DirectoryDocument;

/**
 * The access matrix and AE title ownership over HTTP: the administrator grants, revokes and lists
 * which router may use which services of which AE title, and releases an AE title; each router
 * reads its part of the matrix in the directory, every grant signed by the Bridge.
 */
final class AccessApi {
    private static final System.Logger LOG = System.getLogger(AccessApi.class.getName());

    private final AccessStore store;
    private final BridgeSigner signer;
    private final Clock clock;
    private final ObjectMapper json;

    AccessApi(AccessStore store, BridgeSigner signer, Clock clock, ObjectMapper json) {
        this.store = store;
        this.signer = signer;
        this.clock = clock;
        this.json = json;
    }

    void configure(RoutesConfig r, UnaryOperator<Handler> admin) {
        r.put("/api/admin/access", admin.apply(this::grant));
        r.delete("/api/admin/access", admin.apply(this::revoke));
        r.get("/api/admin/access", admin.apply(this::list));
        r.post("/api/admin/aes/release", admin.apply(this::release));
    }

    /** PUT {routerId, aeTitle, services}: the services routerId may use of aeTitle, replacing what it had. */
    private void grant(Context ctx) throws Exception {
        JsonNode b = body(ctx);
        String routerId = routerId(b.path("routerId").textValue());
        String aeTitle = aeTitle(b.path("aeTitle").textValue());
        JsonNode s = b.get("services");
        if (s == null || !s.isArray()) throw ApiException.badRequest("'services' (an array of echo, store, find, move, get) is missing");
        List<String> services = new ArrayList<>();
        for (JsonNode n : s) services.add(n.isTextual() ? n.asText() : null);
        AccessStore.GrantRow g = store.grant(routerId, aeTitle, services(services), clock.millis());
        LOG.log(System.Logger.Level.INFO, "access granted: router " + routerId + " may use " + String.join(",", g.services()) + " of " + aeTitle
                + (g.owner() == null ? " (not registered by any router yet)" : " (router " + g.owner() + ")"));
        ctx.json(row(g));
    }

    /** DELETE ?routerId=&aeTitle=[&services=move,get]: takes those services (default: all) away. */
    private void revoke(Context ctx) throws Exception {
        String routerId = routerId(ctx.queryParam("routerId"));
        String aeTitle = aeTitle(ctx.queryParam("aeTitle"));
        String s = ctx.queryParam("services");
        List<String> services = s == null ? null : services(Arrays.asList(s.split(",", -1)));
        Optional<AccessStore.GrantRow> left = store.revoke(routerId, aeTitle, services);
        LOG.log(System.Logger.Level.INFO, "access revoked: router " + routerId + " may no longer use "
                + (services == null ? "any service" : String.join(",", services)) + " of " + aeTitle
                + left.map(g -> " (still: " + String.join(",", g.services()) + ")").orElse(""));
        ctx.json(left.<Object>map(AccessApi::row).orElse(BridgeApi.obj("routerId", routerId, "aeTitle", aeTitle, "services", List.of())));
    }

    private void list(Context ctx) throws Exception {
        List<Object> out = new ArrayList<>();
        for (AccessStore.GrantRow g : store.all()) out.add(row(g));
        ctx.json(BridgeApi.obj("access", out));
    }

    /** POST {aeTitle}: the title is no longer any router's; the grants on it go too. */
    private void release(Context ctx) throws Exception {
        String aeTitle = aeTitle(body(ctx).path("aeTitle").textValue());
        AccessStore.Release r = store.release(aeTitle);
        LOG.log(System.Logger.Level.INFO, "AE title " + aeTitle + " released (was router " + r.formerOwner() + "'s; " + r.grantsRemoved()
                + " access grant(s) on it removed)");
        ctx.json(BridgeApi.obj("aeTitle", aeTitle, "formerOwner", r.formerOwner(), "grantsRemoved", r.grantsRemoved()));
    }

    /** The directory's "access" part for router {@code me} (signed with the whole directory). */
    List<DirectoryDocument.Grant> directoryPart(String me) {
        List<DirectoryDocument.Grant> out = new ArrayList<>();
        for (AccessStore.GrantRow g : store.partyTo(me)) {
            AccessGrant grant = new AccessGrant(g.routerId(), g.aeTitle(), g.owner(), g.services());
            out.add(new DirectoryDocument.Grant(grant.routerId(), grant.aeTitle(), grant.ownerRouterId(), grant.services()));
        }
        return out;
    }

    private static Map<String, Object> row(AccessStore.GrantRow g) {
        return BridgeApi.obj("routerId", g.routerId(), "aeTitle", g.aeTitle(), "services", g.services(), "owner", g.owner(), "exported", g.exported());
    }

    private JsonNode body(Context ctx) throws java.io.IOException {
        byte[] bytes = ctx.bodyAsBytes();
        if (bytes.length == 0) throw ApiException.badRequest("request body is missing");
        JsonNode n = json.readTree(bytes);
        if (!n.isObject()) throw ApiException.badRequest("expected a JSON object");
        return n;
    }

    private static String routerId(String id) {
        if (id == null || !RouterRecord.ROUTER_ID.matcher(id).matches()) {
            throw ApiException.badRequest("'routerId' must be 1-64 characters of [A-Za-z0-9._-], starting with a letter or digit");
        }
        return id;
    }

    private static String aeTitle(String ae) {
        try {
            AeRecord.requireValidAeTitle(ae);
            return ae;
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("'aeTitle': " + e.getMessage());
        }
    }

    private static List<String> services(List<String> services) {
        try {
            return AeRecord.normalizeServices(services);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("'services': " + e.getMessage());
        }
    }
}
