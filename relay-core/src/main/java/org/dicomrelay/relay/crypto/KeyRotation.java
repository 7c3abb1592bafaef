package org.dicomrelay.relay.crypto;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.List;

/**
 * Proof that a router replaced its keys: its <em>old</em> Ed25519 key signs
 * {@code "dicom-relay key rotation v1\0" || routerId || new HPKE keyset || new signature keyset}
 * (each field preceded by its 4-byte big-endian length). A peer that pinned the old keys accepts
 * the new ones on this proof alone; the Bridge can relay a proof but cannot make one.
 */
public final class KeyRotation {
    private static final byte[] CONTEXT = "dicom-relay key rotation v1\0".getBytes(StandardCharsets.US_ASCII);
    /** A peer offline through more rotations than this needs an operator's confirmation. */
    public static final int MAX_CHAIN = 32;

    static {
        Tink.ensureRegistered();
    }

    private KeyRotation() {}

    /** One link of a router's key history: its keys, and the proof signed by the previous link's keys (null for the first). */
    public record Step(PublicKeys keys, byte[] proof) {
        public Step {
            proof = proof == null ? null : proof.clone();
        }

        @Override
        public byte[] proof() {
            return proof == null ? null : proof.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Step s && keys.equals(s.keys) && java.util.Arrays.equals(proof, s.proof);
        }

        @Override
        public int hashCode() {
            return keys.hashCode() * 31 + java.util.Arrays.hashCode(proof);
        }
    }

    /** Signs {@code next} with {@code current}'s signature key. */
    public static byte[] sign(RouterKeys current, PublicKeys next) {
        try {
            return current.signer().sign(message(next));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign the key rotation of router " + next.routerId(), e);
        }
    }

    /** @throws GeneralSecurityException unless {@code previous}'s signature key signed {@code next} for the same router */
    public static void verify(PublicKeys previous, PublicKeys next, byte[] proof) throws GeneralSecurityException {
        if (!previous.routerId().equals(next.routerId())) throw new GeneralSecurityException("rotation proof names another router");
        if (proof == null) throw new GeneralSecurityException("no rotation proof");
        previous.verifier().verify(proof, message(next));
    }

    /**
     * Follows {@code history} (oldest first, the last being the current keys) from {@code pinned}:
     * the current keys if every rotation after the last appearance of {@code pinned} is signed by
     * the keys before it.
     *
     * @throws GeneralSecurityException if {@code pinned} is not in the history or a link does not verify
     */
    public static PublicKeys follow(PublicKeys pinned, List<Step> history) throws GeneralSecurityException {
        int from = -1;
        for (int i = 0; i < history.size(); i++) {
            if (history.get(i).keys().equals(pinned)) from = i;
        }
        if (from < 0) throw new GeneralSecurityException("the pinned keys are not in the published key history (no rotation proof from them)");
        for (int j = from + 1; j < history.size(); j++) {
            try {
                verify(history.get(j - 1).keys(), history.get(j).keys(), history.get(j).proof());
            } catch (GeneralSecurityException e) {
                throw new GeneralSecurityException("rotation " + j + " of the key history is not signed by the keys before it", e);
            }
        }
        return history.get(history.size() - 1).keys();
    }

    private static byte[] message(PublicKeys next) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(CONTEXT);
        put(out, next.routerId().getBytes(StandardCharsets.UTF_8));
        put(out, next.hpkePublicKeyset());
        put(out, next.signaturePublicKeyset());
        return out.toByteArray();
    }

    private static void put(ByteArrayOutputStream out, byte[] field) {
        out.writeBytes(ByteBuffer.allocate(4).putInt(field.length).array());
        out.writeBytes(field);
    }
}
