package org.dicomrelay.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** Lists the Bridge's access matrix. */
@Command(name = "access", description = "List the Bridge's access matrix: which router may use which services of which AE title.")
public final class AccessCommand implements Callable<Integer> {
    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;
    @Mixin BridgeAdminOptions bridge;

    @Override public Integer call() throws Exception {
        JsonNode list;
        try {
            list = bridge.call("GET", "/api/admin/access", null).path("access");
        } catch (BridgeAdminOptions.Refused e) {
            spec.commandLine().getErr().println("access failed: " + e.getMessage());
            return 1;
        }
        PrintWriter out = spec.commandLine().getOut();
        out.printf("%-24s %-16s %-24s %s%n", "ROUTER", "AE", "SERVICES", "OWNER");
        for (JsonNode g : list) {
            out.printf("%-24s %-16s %-24s %s%n", g.path("routerId").asText(), g.path("aeTitle").asText(), services(g), owner(g));
        }
        out.println(list.size() + " grant(s); what is not listed is refused");
        return 0;
    }

    /** One grant as a sentence, e.g. "hospital-a may use echo,find of PACS_B (owned by hospital-b)". */
    static String describe(JsonNode g) {
        return g.path("routerId").asText() + " may use " + services(g) + " of " + g.path("aeTitle").asText() + " (" + owner(g) + ")";
    }

    private static String services(JsonNode g) {
        List<String> s = new ArrayList<>();
        g.path("services").forEach(n -> s.add(n.asText()));
        return String.join(",", s);
    }

    private static String owner(JsonNode g) {
        JsonNode owner = g.get("owner");
        if (owner == null || owner.isNull()) return "not registered by any router yet";
        return "owned by " + owner.asText() + (g.path("exported").asBoolean() ? "" : ", not exported now");
    }
}
