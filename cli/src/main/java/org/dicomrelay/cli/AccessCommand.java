package org.dicomrelay.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;

import java.util.ArrayList;
import java.util.List;

/** Lists the Bridge's access matrix. */
@Command(name = "access", description = "List the Bridge's access matrix: which router may use which services of which AE title.")
public final class AccessCommand extends BridgeAdminCommands.AdminCall {

    @Override String run() throws Exception {
        JsonNode list = bridge.call("GET", "/api/admin/access", null).path("access");
        StringBuilder out = new StringBuilder(String.format("%-24s %-16s %-24s %s%n", "ROUTER", "AE", "SERVICES", "OWNER"));
        for (JsonNode g : list) {
            out.append(String.format("%-24s %-16s %-24s %s%n", g.path("routerId").asText(), g.path("aeTitle").asText(), services(g), owner(g)));
        }
        return out.append(list.size()).append(" grant(s); what is not listed is refused").toString();
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
