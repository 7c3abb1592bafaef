package org.dicomrelay.router.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.dicomrelay.dicom.io.OwnerOnly;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Remote AE title → owning router and the services this router may use (what the owner exports
 * and the Bridge's access matrix grants), as the directory gives them and cached on disk. It is
 * the access-control list: what is not listed is not reachable.
 */
public final class RoutingTable {
    private static final ObjectMapper JSON = new ObjectMapper();

    public record Route(@JsonProperty("aeTitle") String aeTitle, @JsonProperty("routerId") String routerId,
                        @JsonProperty("services") Set<String> services) {
        public boolean allows(Service s) {
            return services.contains(s.toString());
        }
    }

    private volatile Map<String, Route> routes = Map.of();

    public Optional<Route> route(String aeTitle) {
        return Optional.ofNullable(routes.get(aeTitle));
    }

    public void replace(List<Route> list) {
        routes = list.stream().collect(Collectors.toUnmodifiableMap(Route::aeTitle, r -> new Route(r.aeTitle(), r.routerId(),
                new TreeSet<>(r.services())), (a, b) -> a));
    }

    public List<Route> all() {
        return List.copyOf(routes.values());
    }

    public void save(Path file) throws IOException {
        OwnerOnly.replace(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(all()));
    }

    public void load(Path file) throws IOException {
        if (Files.exists(file)) replace(JSON.readValue(file.toFile(), new TypeReference<List<Route>>() {}));
    }
}
