package org.dicomrelay.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** Grants a router services of an AE title in the Bridge's access matrix. */
@Command(name = "grant", description = "Let a router use services of an AE title (the Bridge's access matrix; default: nothing).")
public final class GrantCommand implements Callable<Integer> {
    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;
    @Mixin BridgeAdminOptions bridge;

    @Option(names = "--router", required = true, paramLabel = "ROUTER_ID", description = "the requesting router, e.g. hospital-a") String router;
    @Option(names = "--ae", required = true, paramLabel = "AE", description = "the AE title, e.g. PACS_B (its owner is implied)") String ae;
    @Option(names = "--services", required = true, split = ",", paramLabel = "SERVICE", description = "echo, store, find, move, get; "
            + "replaces what the router had on this AE title") List<String> services;

    @Override public Integer call() throws Exception {
        try {
            JsonNode g = bridge.call("PUT", "/api/admin/access", Map.of("routerId", router, "aeTitle", ae, "services", services));
            spec.commandLine().getOut().println(AccessCommand.describe(g));
            return 0;
        } catch (BridgeAdminOptions.Refused e) {
            spec.commandLine().getErr().println("grant failed: " + e.getMessage());
            return 1;
        }
    }
}
