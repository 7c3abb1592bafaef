package org.dicomrelay.relay.bridge.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * {@code POST /api/enroll}: the one-time token, the router's ID and public keys, and the public key
 * (SPKI, base64) of the TLS client key the Bridge is to certify (absent: plain HTTP to an older Bridge).
 */
public record EnrollRequest(String token, String routerId, PublicKeysJson publicKeys,
                            @JsonInclude(JsonInclude.Include.NON_NULL) String clientPublicKey) {}
