package org.dicomrelay.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.Map;

/** Frees an AE title at the Bridge, so that another router may register it. */
@Command(name = "release-ae", description = "Release an AE title from the router that owns it (its access grants go too), "
        + "so that another router may register it.")
public final class ReleaseAeCommand extends BridgeAdminCommands.AdminCall {

    @Option(names = "--ae", required = true, paramLabel = "AE") String ae;

    @Override String run() throws Exception {
        JsonNode r = bridge.call("POST", "/api/admin/aes/release", Map.of("aeTitle", ae));
        return "AE title " + ae + " released (was " + r.path("formerOwner").asText() + "'s; "
                + r.path("grantsRemoved").asInt() + " access grant(s) on it removed)";
    }
}
