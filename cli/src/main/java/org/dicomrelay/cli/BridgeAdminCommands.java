package org.dicomrelay.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** The Bridge administrator's commands (`dicom-relay bridge token|routers|revoke|provider`), over HTTPS pinned by fingerprint. */
final class BridgeAdminCommands {
    private BridgeAdminCommands() {}

    /** Runs an administration call; prints its outcome, or the refusal and exit code 1. */
    abstract static class AdminCall implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin BridgeAdminOptions bridge;

        abstract String run() throws Exception;

        @Override public Integer call() {
            try {
                spec.commandLine().getOut().println(run());
                return 0;
            } catch (Exception e) {
                spec.commandLine().getErr().println(spec.name() + " failed: " + org.dicomrelay.dicom.net.FailureText.of(e));
                return 1;
            }
        }
    }

    /** {@code bridge token create|list|cancel}: enrollment tokens, the way a new router gets in. */
    @Command(name = "token", description = "Enrollment tokens: create one for a new router, list the unused ones, cancel one.",
            subcommands = {TokenCreate.class, TokenList.class, TokenCancel.class})
    static final class Token {
    }

    @Command(name = "create", description = "Create a one-time enrollment token for a router ID; prints it once, with the enroll command to run at the router.")
    static final class TokenCreate extends AdminCall {
        @Option(names = "--router-id", required = true, paramLabel = "ID", description = "the routerId of the new router's router.yaml") String routerId;
        @Option(names = "--display-name", paramLabel = "NAME") String displayName;
        @Option(names = "--label", paramLabel = "TEXT", description = "a note shown in 'bridge token list', e.g. who asked for it") String label;
        @Option(names = "--ttl", paramLabel = "DURATION", description = "how long it is valid, e.g. 30m, 24h, 7d (1 minute to 30 days; default: the Bridge's enrollmentTokenTtl)")
        String ttl;

        @Override String run() throws Exception {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("routerId", routerId);
            if (displayName != null) body.put("displayName", displayName);
            if (label != null) body.put("label", label);
            if (ttl != null) body.put("ttlSeconds", TokenTtl.parse(ttl).toSeconds());
            JsonNode t = bridge.call("POST", "/api/admin/enrollment-tokens", body);
            BridgeAdminOptions.Target target = bridge.target();
            return t.path("token").asText() + "\n\none-time enrollment token " + t.path("id").asText() + " for router " + routerId + ", valid until "
                    + t.path("expiresAt").asText() + "; it is shown only now: hand it to that router's operator only.\n"
                    + "At the router (router.yaml with routerId: " + routerId + "), run:\n\n  " + enrollCommand(target, t.path("token").asText()) + "\n\n"
                    + "(" + target.url() + " is the Bridge as seen from here: give the address the router reaches it at.)";
        }
    }

    /** The exact command the router's operator pastes. */
    static String enrollCommand(BridgeAdminOptions.Target target, String token) {
        return "./dicom-relay enroll --config router.yaml --bridge " + target.url()
                + (target.fingerprint() == null ? "" : " --bridge-fingerprint " + target.fingerprint()) + " --token " + token;
    }

    @Command(name = "list", description = "List the enrollment tokens not used, cancelled or expired (never the tokens themselves).")
    static final class TokenList extends AdminCall {
        @Override String run() throws Exception {
            StringBuilder out = new StringBuilder(String.format("%-16s %-24s %-24s %-24s %s", "ID", "ROUTER", "CREATED", "EXPIRES", "LABEL"));
            for (JsonNode t : bridge.call("GET", "/api/admin/enrollment-tokens", null).path("tokens")) {
                out.append(String.format("%n%-16s %-24s %-24s %-24s %s", t.path("id").asText(), t.path("routerId").asText(),
                        t.path("createdAt").asText(), t.path("expiresAt").asText(), t.path("label").asText("-")));
            }
            return out.toString();
        }
    }

    @Command(name = "cancel", description = "Cancel an unused enrollment token (its ID from 'bridge token list'): it can no longer enroll.")
    static final class TokenCancel extends AdminCall {
        @picocli.CommandLine.Parameters(paramLabel = "ID", description = "the token's ID (16 hex digits)") String id;

        @Override String run() throws Exception {
            JsonNode r = bridge.call("DELETE", "/api/admin/enrollment-tokens/" + id, null);
            return "enrollment token " + id + " for router " + r.path("routerId").asText() + " cancelled";
        }
    }

    @Command(name = "routers", description = "List the routers: status, provider, exported AE titles.")
    static final class Routers extends AdminCall {
        @Override String run() throws Exception {
            StringBuilder out = new StringBuilder(String.format("%-24s %-8s %-24s %-12s %s", "ROUTER", "STATUS", "ENROLLED", "PROVIDER", "AE TITLES"));
            for (JsonNode r : bridge.call("GET", "/api/admin/routers", null).path("routers")) {
                List<String> aes = new ArrayList<>();
                r.path("aes").forEach(a -> aes.add(a.path("aeTitle").asText()));
                out.append(String.format("%n%-24s %-8s %-24s %-12s %s", r.path("routerId").asText(), r.path("status").asText(),
                        r.path("enrolledAt").asText(), r.path("provider").asText("-"), String.join(",", aes)));
            }
            return out.toString();
        }
    }

    @Command(name = "revoke", description = "Revoke a router: its credentials and TLS certificate are refused from now on.")
    static final class Revoke extends AdminCall {
        @Option(names = "--router-id", required = true, paramLabel = "ID") String routerId;

        @Override String run() throws Exception {
            JsonNode r = bridge.call("POST", "/api/admin/routers/" + routerId + "/revoke", null);
            return "router " + routerId + " revoked at " + r.path("revokedAt").asText();
        }
    }

    @Command(name = "provider", description = "Assign a router's Cloud IO provider (non-secret settings only).")
    static final class Provider extends AdminCall {
        @Option(names = "--router-id", required = true, paramLabel = "ID") String routerId;
        @Option(names = "--name", required = true, paramLabel = "PROVIDER") String name;
        @Option(names = "--setting", paramLabel = "KEY=VALUE") Map<String, String> settings = new LinkedHashMap<>();

        @Override String run() throws Exception {
            bridge.call("PUT", "/api/admin/routers/" + routerId + "/provider", Map.of("name", name, "settings", settings));
            return "router " + routerId + " uses Cloud IO provider " + name;
        }
    }
}
