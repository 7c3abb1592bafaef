package org.dicomrelay.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.Map;
import java.util.concurrent.Callable;

/** Frees an AE title at the Bridge, so that another router may register it. */
@Command(name = "release-ae", description = "Release an AE title from the router that owns it (its access grants go too), "
        + "so that another router may register it.")
public final class ReleaseAeCommand implements Callable<Integer> {
    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;
    @Mixin BridgeAdminOptions bridge;

    @Option(names = "--ae", required = true, paramLabel = "AE") String ae;

    @Override public Integer call() throws Exception {
        try {
            JsonNode r = bridge.call("POST", "/api/admin/aes/release", Map.of("aeTitle", ae));
            spec.commandLine().getOut().println("AE title " + ae + " released (was " + r.path("formerOwner").asText() + "'s; "
                    + r.path("grantsRemoved").asInt() + " access grant(s) on it removed)");
            return 0;
        } catch (BridgeAdminOptions.Refused e) {
            spec.commandLine().getErr().println("release-ae failed: " + e.getMessage());
            return 1;
        }
    }
}
