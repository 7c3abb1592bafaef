package org.dicomrelay.relay.bridge;

import java.net.URI;
import java.util.Base64;

/**
 * What a router keeps after enrolling: where the Bridge is, its own ID, its API key (a secret:
 * store it like a password) and the Bridge's public signing keyset, pinned so that directory
 * records can be checked later. {@link #toString()} never shows the API key.
 *
 * @param bridgePublicKeys a Tink public keyset (binary protobuf format) holding the Bridge's signature verification key(s)
 */
public record BridgeCredentials(URI bridgeUrl, String routerId, String apiKey, byte[] bridgePublicKeys) {

    public BridgeCredentials {
        if (bridgeUrl == null) throw new IllegalArgumentException("bridge URL is missing");
        RouterRecord.requireValidRouterId(routerId);
        if (apiKey == null || apiKey.isBlank()) throw new IllegalArgumentException("API key is missing");
        if (bridgePublicKeys == null || bridgePublicKeys.length == 0) throw new IllegalArgumentException("Bridge public keys are missing");
        bridgePublicKeys = bridgePublicKeys.clone();
    }

    @Override
    public byte[] bridgePublicKeys() {
        return bridgePublicKeys.clone();
    }

    public String bridgePublicKeysBase64() {
        return Base64.getEncoder().encodeToString(bridgePublicKeys);
    }

    /** The same credentials for a Bridge reached at another address (the pinned key stays). */
    public BridgeCredentials withBridgeUrl(URI url) {
        return new BridgeCredentials(url, routerId, apiKey, bridgePublicKeys);
    }

    @Override
    public String toString() {
        return "BridgeCredentials[" + bridgeUrl + ", router " + routerId + ", API key (hidden)]";
    }
}
