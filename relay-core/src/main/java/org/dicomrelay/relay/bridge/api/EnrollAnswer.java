package org.dicomrelay.relay.bridge.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The answer to an enrollment: the router's API key (a secret), the Bridge's public signature
 * keyset (base64) that signs the directory, and the TLS client certificate (DER, base64) for the
 * key the router sent; absent over plain HTTP.
 */
public record EnrollAnswer(String routerId, String apiKey, String bridgePublicKeys,
                           @JsonInclude(JsonInclude.Include.NON_NULL) String clientCertificate) {
    @Override
    public String toString() {
        return "EnrollAnswer[" + routerId + ", apiKey hidden]";
    }
}
