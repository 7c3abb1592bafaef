package org.dicomrelay.relay.crypto;

import com.google.crypto.tink.HybridEncrypt;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.TinkProtoKeysetFormat;
import com.google.crypto.tink.hybrid.HpkePublicKey;

import java.io.ByteArrayOutputStream;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;

/**
 * A router's short-lived session public key (HPKE, X25519/HKDF-SHA256/AES-256-GCM, the shape of
 * {@link RouterKeys}), signed by the router's long-term Ed25519 key over
 * {@code "dicom-relay session key v1\0" || routerId || keyId || notAfter || keyset} (each string
 * and the keyset length-prefixed). Peers check the signature with the keys they pinned, so
 * whoever relays it (the cloud, the Bridge) cannot substitute it.
 *
 * <p>Encoding: router id (1-byte length), key id (1-byte length), not-after (8 bytes, ms since
 * the epoch), public keyset (2-byte length), signature (2-byte length).
 */
public record SessionKey(String routerId, String keyId, long notAfterMillis, byte[] publicKeyset, byte[] signature) {
    static final byte[] CONTEXT = "dicom-relay session key v1\0".getBytes(StandardCharsets.US_ASCII);

    static {
        Tink.ensureRegistered();
    }

    public SessionKey {
        Ids.check("router id", routerId);
        Ids.check("session key id", keyId);
        if (publicKeyset == null || publicKeyset.length == 0 || publicKeyset.length > PublicKeys.MAX_KEYSET_LENGTH) {
            throw new IllegalArgumentException("session public keyset of router " + routerId + " is empty or too large");
        }
        if (signature == null || signature.length == 0 || signature.length > 1024) {
            throw new IllegalArgumentException("session key signature of router " + routerId + " is empty or too large");
        }
        publicKeyset = publicKeyset.clone();
        signature = signature.clone();
    }

    /** The bytes the owner signs. */
    static byte[] signedBytes(String routerId, String keyId, long notAfterMillis, byte[] publicKeyset) {
        ByteArrayOutputStream b = new ByteArrayOutputStream(CONTEXT.length + 100 + publicKeyset.length);
        b.writeBytes(CONTEXT);
        fields(b, routerId, keyId, notAfterMillis, publicKeyset);
        return b.toByteArray();
    }

    /** What both the signed bytes and the encoding carry, in this order. */
    private static void fields(ByteArrayOutputStream b, String routerId, String keyId, long notAfterMillis, byte[] publicKeyset) {
        string(b, routerId);
        string(b, keyId);
        b.writeBytes(ByteBuffer.allocate(8).putLong(notAfterMillis).array());
        bytes(b, publicKeyset);
    }

    /**
     * Checks that {@code owner} (the pinned long-term keys of {@link #routerId}) signed this key
     * and that the keyset has exactly the expected shape.
     */
    void verify(PublicKeys owner) throws GeneralSecurityException {
        if (!owner.routerId().equals(routerId)) {
            throw new GeneralSecurityException("session key of router " + routerId + " checked with the keys of router " + owner.routerId());
        }
        owner.verifier().verify(signature, signedBytes(routerId, keyId, notAfterMillis, publicKeyset));
        hybridEncrypt();
    }

    HybridEncrypt hybridEncrypt() throws GeneralSecurityException {
        KeysetHandle h = TinkProtoKeysetFormat.parseKeysetWithoutSecret(publicKeyset);
        KeysetShape.require(h, HpkePublicKey.class, Tink.HPKE, "session HPKE");
        return h.getPrimitive(Tink.CONFIG, HybridEncrypt.class);
    }

    byte[] encode() {
        ByteArrayOutputStream b = new ByteArrayOutputStream(32 + publicKeyset.length + signature.length);
        fields(b, routerId, keyId, notAfterMillis, publicKeyset);
        bytes(b, signature);
        return b.toByteArray();
    }

    static SessionKey decode(byte[] encoded) throws EnvelopeException {
        ByteBuffer b = ByteBuffer.wrap(encoded);
        try {
            String router = string(b);
            String keyId = string(b);
            long notAfter = b.getLong();
            byte[] keyset = new byte[b.getShort() & 0xffff];
            b.get(keyset);
            byte[] signature = new byte[b.getShort() & 0xffff];
            b.get(signature);
            if (b.hasRemaining()) throw new EnvelopeException("malformed session key: trailing bytes");
            return new SessionKey(router, keyId, notAfter, keyset, signature);
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            throw new EnvelopeException("malformed session key: " + e.getClass().getSimpleName(), e);
        }
    }

    static void string(ByteArrayOutputStream b, String s) {
        byte[] a = s.getBytes(StandardCharsets.US_ASCII);
        b.write(a.length);
        b.writeBytes(a);
    }

    /** Writes {@code a} with a 2-byte length; callers keep it under 64 KiB. */
    static void bytes(ByteArrayOutputStream b, byte[] a) {
        b.write(a.length >>> 8);
        b.write(a.length);
        b.writeBytes(a);
    }

    static String string(ByteBuffer b) {
        byte[] a = new byte[b.get() & 0xff];
        b.get(a);
        return new String(a, StandardCharsets.ISO_8859_1);
    }

    @Override
    public byte[] publicKeyset() {
        return publicKeyset.clone();
    }

    @Override
    public byte[] signature() {
        return signature.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SessionKey k && routerId.equals(k.routerId) && keyId.equals(k.keyId) && notAfterMillis == k.notAfterMillis
                && Arrays.equals(publicKeyset, k.publicKeyset) && Arrays.equals(signature, k.signature);
    }

    @Override
    public int hashCode() {
        return (routerId.hashCode() * 31 + keyId.hashCode()) * 31 + Arrays.hashCode(publicKeyset);
    }

    @Override
    public String toString() {
        return "SessionKey[" + routerId + ", " + keyId + ", not after " + java.time.Instant.ofEpochMilli(notAfterMillis) + "]";
    }
}
