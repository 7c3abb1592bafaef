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

    @Command(name = "token", description = "Issue a one-time enrollment token for a router ID.")
    static final class Token extends AdminCall {
        @Option(names = "--router-id", required = true, paramLabel = "ID") String routerId;
        @Option(names = "--display-name", paramLabel = "NAME") String displayName;

        @Override String run() throws Exception {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("routerId", routerId);
            if (displayName != null) body.put("displayName", displayName);
            JsonNode t = bridge.call("POST", "/api/admin/enrollment-tokens", body);
            return t.path("token").asText() + "\n(one-time enrollment token for router " + routerId + ", valid until " + t.path("expiresAt").asText()
                    + "; hand it to that router's operator only)";
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
