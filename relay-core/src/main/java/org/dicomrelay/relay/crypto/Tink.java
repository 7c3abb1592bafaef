package org.dicomrelay.relay.crypto;

import com.google.crypto.tink.Configuration;
import com.google.crypto.tink.ConfigurationV0;
import com.google.crypto.tink.hybrid.HpkeParameters;
import com.google.crypto.tink.hybrid.HybridConfig;
import com.google.crypto.tink.signature.PredefinedSignatureParameters;
import com.google.crypto.tink.signature.SignatureConfig;
import com.google.crypto.tink.signature.Ed25519Parameters;
import com.google.crypto.tink.streamingaead.AesGcmHkdfStreamingParameters;
import com.google.crypto.tink.streamingaead.PredefinedStreamingAeadParameters;
import com.google.crypto.tink.streamingaead.StreamingAeadConfig;

import java.security.GeneralSecurityException;

/** The Tink key types the envelope uses, registered once. */
final class Tink {
    /** HPKE for wrapping message keys: DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-256-GCM (RFC 9180). */
    static final HpkeParameters HPKE;
    /** Router signatures. */
    static final Ed25519Parameters SIGNATURE = PredefinedSignatureParameters.ED25519;
    /** One fresh key per message: AES-256-GCM with HKDF-SHA256 key derivation, 1 MiB ciphertext segments. */
    static final AesGcmHkdfStreamingParameters STREAMING = PredefinedStreamingAeadParameters.AES256_GCM_HKDF_1MB;

    /** The same scheme with 4 KiB segments, for messages known to be small (frames): no 1 MiB buffers for a few hundred bytes. */
    static final AesGcmHkdfStreamingParameters STREAMING_SMALL = PredefinedStreamingAeadParameters.AES256_GCM_HKDF_4KB;
    /** Where primitives come from: Tink's fixed configuration, not the global registry. */
    static final Configuration CONFIG;

    static {
        try {
            // Registration makes the key types known to key generation and keyset parsing.
            HybridConfig.register();
            SignatureConfig.register();
            StreamingAeadConfig.register();
            HPKE = HpkeParameters.builder()
                    .setKemId(HpkeParameters.KemId.DHKEM_X25519_HKDF_SHA256)
                    .setKdfId(HpkeParameters.KdfId.HKDF_SHA256)
                    .setAeadId(HpkeParameters.AeadId.AES_256_GCM)
                    .setVariant(HpkeParameters.Variant.TINK)
                    .build();
            CONFIG = ConfigurationV0.get();
        } catch (GeneralSecurityException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private Tink() {}

    /**
     * Runs the registration above if it has not run yet. Keysets parsed before it come back with
     * keys of unknown type, so every class that parses keysets calls this first: in a fresh JVM
     * (the {@code router} command) loading the router's keys is the first thing that touches Tink.
     */
    static void ensureRegistered() {
        // class initialisation does the work
    }
}
