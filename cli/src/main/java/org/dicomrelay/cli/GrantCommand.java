package org.dicomrelay.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.Map;

/** Grants a router services of an AE title in the Bridge's access matrix. */
@Command(name = "grant", description = "Let a router use services of an AE title (the Bridge's access matrix; default: nothing).")
public final class GrantCommand extends BridgeAdminCommands.AdminCall {

    @Option(names = "--router", required = true, paramLabel = "ROUTER_ID", description = "the requesting router, e.g. hospital-a") String router;
    @Option(names = "--ae", required = true, paramLabel = "AE", description = "the AE title, e.g. PACS_B (its owner is implied)") String ae;
    @Option(names = "--services", required = true, split = ",", paramLabel = "SERVICE", description = "echo, store, find, move, get; "
            + "replaces what the router had on this AE title") List<String> services;

    @Override String run() throws Exception {
        return AccessCommand.describe(bridge.call("PUT", "/api/admin/access", Map.of("routerId", router, "aeTitle", ae, "services", services)));
    }
}
