package org.dicomrelay.router;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.dicomrelay.dicom.io.OwnerOnly;
import org.dicomrelay.relay.bridge.ProviderAssignment;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The Cloud IO provider assignment of the last directory this router accepted (signed, current),
 * kept in its state folder so that a router restarted while the Bridge is unreachable opens the
 * same store as before instead of refusing to start (its local devices would be refused, not
 * spooled).
 */
final class AssignmentCache {
    static final String FILE = "provider-assignment.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What a cache says: never written; written with no assignment (the default store); or an assignment. */
    record Cached(boolean known, ProviderAssignment assignment) {
        static final Cached UNKNOWN = new Cached(false, null);
    }

    private AssignmentCache() {}

    static void save(Path state, ProviderAssignment assignment) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        if (assignment != null) {
            root.put("name", assignment.name());
            ObjectNode settings = root.putObject("settings");
            assignment.settings().forEach(settings::put);
        }
        OwnerOnly.replace(state.resolve(FILE), JSON.writeValueAsBytes(root));
    }

    static Cached load(Path state) throws IOException {
        Path f = state.resolve(FILE);
        if (!Files.exists(f)) return Cached.UNKNOWN;
        JsonNode root = JSON.readTree(f.toFile());
        if (!root.hasNonNull("name")) return new Cached(true, null);
        Map<String, String> settings = new LinkedHashMap<>();
        root.path("settings").properties().forEach(e -> settings.put(e.getKey(), e.getValue().asText()));
        return new Cached(true, new ProviderAssignment(root.get("name").asText(), settings));
    }
}
