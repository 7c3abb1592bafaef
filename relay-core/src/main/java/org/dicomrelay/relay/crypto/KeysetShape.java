package org.dicomrelay.relay.crypto;

import com.google.crypto.tink.Key;
import com.google.crypto.tink.KeyStatus;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.Parameters;

import java.security.GeneralSecurityException;

/**
 * The one shape a peer's published keyset may have: exactly one enabled, primary public key of
 * the expected class with exactly the parameters {@link RouterKeys#generate} uses (type, curve,
 * KDF, AEAD and output prefix). Anything else — an extra key a Bridge slipped in, another
 * algorithm, a private key — is refused before a primitive is built from it, since Tink would
 * otherwise accept every enabled key in the set.
 */
final class KeysetShape {
    private KeysetShape() {}

    static void require(KeysetHandle keyset, Class<? extends Key> publicKeyClass, Parameters expected, String what)
            throws GeneralSecurityException {
        if (keyset.size() != 1) {
            throw new GeneralSecurityException(what + " keyset must hold exactly one key, holds " + keyset.size());
        }
        KeysetHandle.Entry entry = keyset.getAt(0);
        if (entry.getStatus() != KeyStatus.ENABLED) {
            throw new GeneralSecurityException(what + " key is " + entry.getStatus() + ", expected ENABLED");
        }
        if (!entry.isPrimary()) {
            throw new GeneralSecurityException(what + " key is not the keyset's primary key");
        }
        Key key = entry.getKey();
        if (!publicKeyClass.isInstance(key)) {
            throw new GeneralSecurityException(what + " keyset holds a " + key.getClass().getSimpleName()
                    + ", expected a " + publicKeyClass.getSimpleName());
        }
        if (!expected.equals(key.getParameters())) {
            throw new GeneralSecurityException(what + " key has parameters " + key.getParameters() + ", expected " + expected);
        }
    }
}
