package org.dicomrelay.router.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import org.dicomrelay.console.AtomicFile;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes the devices table back into router.yaml, atomically ({@link AtomicFile}: a crash leaves
 * the old file or the new one, its mode kept), changing nothing else in it: every other setting
 * stays as the operator wrote it, and an unchanged device keeps its own entry (relative TLS file
 * names stay relative). Comments are not kept (the YAML parser drops them).
 */
public final class DevicesFile {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)).setDefaultPropertyInclusion(JsonInclude.Include.NON_NULL);

    private DevicesFile() {}

    public static void save(Path file, List<Device> devices) throws IOException {
        JsonNode read = YAML.readTree(file.toFile());
        if (!(read instanceof ObjectNode root)) throw new IOException(file + " is not a router configuration (no YAML mapping)");
        Path base = file.toAbsolutePath().getParent();
        JsonNode old = root.get("devices");
        ArrayNode out = YAML.createArrayNode();
        for (Device d : devices) out.add(unchanged(old, d, base));
        root.set("devices", out);
        byte[] bytes = YAML.writeValueAsBytes(root);
        RouterConfig.parse(bytes, base); // what is written must load: never leave a router.yaml the router cannot start with
        AtomicFile.write(file, bytes);
    }

    /** The file's own entry for {@code d} if it describes the same device, else {@code d} written out. */
    private static JsonNode unchanged(JsonNode old, Device d, Path base) {
        if (old instanceof ArrayNode entries) {
            for (JsonNode e : entries) {
                try {
                    if (YAML.treeToValue(e, Device.class).resolvedAgainst(base).equals(d)) return e;
                } catch (IOException | IllegalArgumentException unreadable) {
                    // not this one
                }
            }
        }
        return YAML.valueToTree(d);
    }
}
