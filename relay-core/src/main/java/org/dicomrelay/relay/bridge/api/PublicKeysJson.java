package org.dicomrelay.relay.bridge.api;

import org.dicomrelay.relay.bridge.RouterRecord;

/** A router's two public keys, {@code {"hpke", "signature"}}: serialized Tink public keysets in base64. */
public record PublicKeysJson(String hpke, String signature) {
    public static PublicKeysJson of(RouterRecord keys) {
        return new PublicKeysJson(keys.hpkePublicKeyBase64(), keys.signaturePublicKeyBase64());
    }
}
