package org.dicomrelay.router.console;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.time.Instant;

/**
 * What the status page says of the router's link to the Bridge: its URL, whether the last
 * directory sync reached it and was accepted, when the last sync ran and the last one succeeded
 * (null: none since start), and this router's own key fingerprint.
 */
public record BridgeStatus(@JsonProperty("bridgeUrl") String bridgeUrl,
                           @JsonProperty("reachable") boolean reachable,
                           @JsonProperty("lastSync") String lastSync,
                           @JsonProperty("lastSuccess") String lastSuccess,
                           @JsonProperty("fingerprint") String fingerprint) {
    public static BridgeStatus of(String bridgeUrl, boolean reachable, Instant lastSync, Instant lastSuccess, String fingerprint) {
        return new BridgeStatus(bridgeUrl, reachable, text(lastSync), text(lastSuccess), fingerprint);
    }

    private static String text(Instant t) {
        return t == null ? null : t.toString();
    }
}
