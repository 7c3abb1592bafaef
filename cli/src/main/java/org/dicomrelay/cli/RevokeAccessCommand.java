package org.dicomrelay.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;

/** Takes services (or all of them) of an AE title away from a router in the Bridge's access matrix. */
@Command(name = "revoke-access", description = "Take services of an AE title away from a router (the Bridge's access matrix).")
public final class RevokeAccessCommand implements Callable<Integer> {
    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;
    @Mixin BridgeAdminOptions bridge;

    @Option(names = "--router", required = true, paramLabel = "ROUTER_ID") String router;
    @Option(names = "--ae", required = true, paramLabel = "AE") String ae;
    @Option(names = "--services", split = ",", paramLabel = "SERVICE", description = "only these (default: every service)") List<String> services;

    @Override public Integer call() throws Exception {
        String query = "?routerId=" + enc(router) + "&aeTitle=" + enc(ae) + (services == null ? "" : "&services=" + enc(String.join(",", services)));
        try {
            JsonNode left = bridge.call("DELETE", "/api/admin/access" + query, null);
            spec.commandLine().getOut().println(left.path("services").isEmpty() ? router + " may no longer use " + ae : AccessCommand.describe(left));
            return 0;
        } catch (BridgeAdminOptions.Refused e) {
            spec.commandLine().getErr().println("revoke-access failed: " + e.getMessage());
            return 1;
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
