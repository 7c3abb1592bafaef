package org.dicomrelay.relay.bridge.api;

/** {@code PUT /api/router/keys}: the new public keys and the current keys' signature over them (base64). */
public record KeyRotationRequest(PublicKeysJson publicKeys, String proof) {}
