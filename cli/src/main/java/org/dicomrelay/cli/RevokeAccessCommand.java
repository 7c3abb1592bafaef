package org.dicomrelay.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Takes services (or all of them) of an AE title away from a router in the Bridge's access matrix. */
@Command(name = "revoke-access", description = "Take services of an AE title away from a router (the Bridge's access matrix).")
public final class RevokeAccessCommand extends BridgeAdminCommands.AdminCall {

    @Option(names = "--router", required = true, paramLabel = "ROUTER_ID") String router;
    @Option(names = "--ae", required = true, paramLabel = "AE") String ae;
    @Option(names = "--services", split = ",", paramLabel = "SERVICE", description = "only these (default: every service)") List<String> services;

    @Override String run() throws Exception {
        String query = "?routerId=" + enc(router) + "&aeTitle=" + enc(ae) + (services == null ? "" : "&services=" + enc(String.join(",", services)));
        JsonNode left = bridge.call("DELETE", "/api/admin/access" + query, null);
        return left.path("services").isEmpty() ? router + " may no longer use " + ae : AccessCommand.describe(left);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
