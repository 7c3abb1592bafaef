package org.dicomrelay.relay.cloud.routed;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The settings of Cloud IO "routed": {@code home}, the provider this router reads its blobs and
 * notifications from; {@code peer.<routerId>}, the provider another router reads from (default:
 * {@code home}); and each provider's own settings under its name, {@code <provider>.<setting>}
 * (for example {@code s3.bucket}, {@code s3.sqs.endpoint}, {@code azure.container}).
 */
record RoutedSettings(String home, Map<String, String> peers, Map<String, Map<String, String>> byProvider) {
    static final String HOME = "home";
    static final String PEER = "peer.";

    static RoutedSettings of(Map<String, String> settings) {
        String home = settings.get(HOME);
        if (home == null || home.isBlank()) {
            throw new IllegalArgumentException("Cloud IO provider 'routed' needs the setting '" + HOME + "': the provider this router reads from");
        }
        Map<String, String> peers = new HashMap<>();
        Map<String, Map<String, String>> byProvider = new HashMap<>();
        for (var e : settings.entrySet()) {
            String key = e.getKey();
            if (key.startsWith(PEER)) {
                peers.put(key.substring(PEER.length()), e.getValue().trim());
            } else if (!key.equals(HOME)) {
                int dot = key.indexOf('.');
                if (dot <= 0) throw new IllegalArgumentException("Cloud IO provider 'routed': setting '" + key + "' names no provider ('<provider>." + key + "')");
                byProvider.computeIfAbsent(key.substring(0, dot), p -> new HashMap<>()).put(key.substring(dot + 1), e.getValue());
            }
        }
        return new RoutedSettings(home.trim(), Map.copyOf(peers), byProvider);
    }

    /** Every provider a message may go through: home and the peers'. */
    Set<String> providers() {
        Set<String> all = new TreeSet<>(peers.values());
        all.add(home);
        return all;
    }

    /** Where {@code routerId} reads. */
    String readerOf(String routerId) {
        return peers.getOrDefault(routerId, home);
    }

    Map<String, String> of(String provider) {
        return byProvider.getOrDefault(provider, Map.of());
    }
}
