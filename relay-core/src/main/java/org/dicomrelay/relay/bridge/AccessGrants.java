package org.dicomrelay.relay.bridge;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The part of the Bridge's access matrix a router sees: the grants where it is the requesting
 * router, and the grants on the AE titles it owns. What is not granted is refused.
 */
public record AccessGrants(List<AccessGrant> grants) {

    public static final AccessGrants NONE = new AccessGrants(List.of());

    public AccessGrants {
        grants = List.copyOf(grants);
    }

    /**
     * The {@code access} array of a directory document whose signature was checked as a whole
     * ({@link SignedDirectory}). A grant that is malformed or listed twice is left out and described
     * in {@code rejected}; a document without the array grants nothing.
     */
    static AccessGrants parse(JsonNode document, List<String> rejected) {
        JsonNode list = document.get("access");
        if (list == null || !list.isArray()) return NONE;
        Map<String, AccessGrant> byCell = new LinkedHashMap<>();
        Set<String> twice = new TreeSet<>();
        for (JsonNode n : list) {
            String what = "access grant " + n.path("routerId").asText("?") + " -> " + n.path("aeTitle").asText("?");
            AccessGrant g;
            try {
                List<String> services = new ArrayList<>();
                for (JsonNode s : n.path("services")) services.add(s.isTextual() ? s.asText() : null);
                g = new AccessGrant(n.path("routerId").textValue(), n.path("aeTitle").textValue(), n.path("owner").textValue(), services);
            } catch (IllegalArgumentException e) {
                rejected.add("malformed " + what + ": " + e.getMessage());
                continue;
            }
            if (byCell.putIfAbsent(g.routerId() + "\n" + g.aeTitle(), g) != null) twice.add(g.routerId() + "\n" + g.aeTitle());
        }
        for (String cell : twice) {
            byCell.remove(cell);
            rejected.add("access grant " + cell.replace("\n", " -> ") + " is listed twice");
        }
        return new AccessGrants(new ArrayList<>(byCell.values()));
    }

    /** The services {@code routerId} may use of {@code aeTitle} owned by {@code ownerRouterId}; empty if none. */
    public Set<String> services(String routerId, String aeTitle, String ownerRouterId) {
        for (AccessGrant g : grants) {
            if (g.routerId().equals(routerId) && g.aeTitle().equals(aeTitle) && g.ownerRouterId().equals(ownerRouterId)) {
                return Set.copyOf(g.services());
            }
        }
        return Set.of();
    }

    /** Only the grants on AE titles {@code ownerRouterId} owns. */
    public AccessGrants on(String ownerRouterId) {
        return new AccessGrants(grants.stream().filter(g -> g.ownerRouterId().equals(ownerRouterId)).toList());
    }
}
