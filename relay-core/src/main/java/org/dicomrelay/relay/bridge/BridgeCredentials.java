package org.dicomrelay.relay.bridge;

import java.net.URI;
import java.security.GeneralSecurityException;
import java.util.Base64;
import org.dicomrelay.relay.tls.CertificateFingerprint;
import org.dicomrelay.relay.tls.ClientIdentity;

/**
 * What a router keeps after enrolling: where the Bridge is, its own ID, its API key (a secret:
 * store it like a password), the Bridge's public signing keyset, pinned so that directory records
 * can be checked later, and for HTTPS the Bridge certificate's pinned fingerprint and the router's
 * TLS client certificate and key. {@link #toString()} shows neither the API key nor the client key.
 *
 * @param bridgePublicKeys a Tink public keyset (binary protobuf format) holding the Bridge's signature verification key(s)
 * @param bridgeFingerprint SHA-256 of the Bridge's TLS certificate (null: the JDK's CA store decides, or plain http on loopback)
 * @param clientCertificate the router's TLS client certificate issued by the Bridge, base64 DER (null: none)
 * @param clientKey the router's TLS client key, base64 PKCS#8 (a secret; null: none)
 */
public record BridgeCredentials(URI bridgeUrl, String routerId, String apiKey, byte[] bridgePublicKeys,
                                String bridgeFingerprint, String clientCertificate, String clientKey) {

    public BridgeCredentials {
        if (bridgeUrl == null) throw new IllegalArgumentException("bridge URL is missing");
        RouterRecord.requireValidRouterId(routerId);
        if (apiKey == null || apiKey.isBlank()) throw new IllegalArgumentException("API key is missing");
        if (bridgePublicKeys == null || bridgePublicKeys.length == 0) throw new IllegalArgumentException("Bridge public keys are missing");
        bridgePublicKeys = bridgePublicKeys.clone();
        if (bridgeFingerprint != null) bridgeFingerprint = CertificateFingerprint.normalize(bridgeFingerprint);
        if ((clientCertificate == null) != (clientKey == null)) throw new IllegalArgumentException("client certificate and key go together");
    }

    /** Without TLS material: plain http to a loopback Bridge, or a Bridge with a CA-issued certificate and no client certificate. */
    public BridgeCredentials(URI bridgeUrl, String routerId, String apiKey, byte[] bridgePublicKeys) {
        this(bridgeUrl, routerId, apiKey, bridgePublicKeys, null, null, null);
    }

    @Override
    public byte[] bridgePublicKeys() {
        return bridgePublicKeys.clone();
    }

    public String bridgePublicKeysBase64() {
        return Base64.getEncoder().encodeToString(bridgePublicKeys);
    }

    /** The router's TLS client identity; null if it has none. */
    public ClientIdentity clientIdentity() throws GeneralSecurityException {
        return clientCertificate == null ? null : ClientIdentity.fromBase64(clientCertificate, clientKey);
    }

    /** The same credentials for a Bridge reached at another address (the pinned keys and certificate stay). */
    public BridgeCredentials withBridgeUrl(URI url) {
        return new BridgeCredentials(url, routerId, apiKey, bridgePublicKeys, bridgeFingerprint, clientCertificate, clientKey);
    }

    @Override
    public String toString() {
        return "BridgeCredentials[" + bridgeUrl + ", router " + routerId + ", API key (hidden)"
                + (bridgeFingerprint == null ? "" : ", Bridge certificate " + bridgeFingerprint)
                + (clientCertificate == null ? "" : ", client certificate and key (hidden)") + "]";
    }
}
