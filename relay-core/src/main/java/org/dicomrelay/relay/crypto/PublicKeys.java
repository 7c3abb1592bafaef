package org.dicomrelay.relay.crypto;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.crypto.tink.HybridEncrypt;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.PublicKeyVerify;
import com.google.crypto.tink.TinkProtoKeysetFormat;
import com.google.crypto.tink.hybrid.HpkePublicKey;
import com.google.crypto.tink.signature.Ed25519PublicKey;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Set;

/**
 * A router's public keys as published through the Bridge: Tink public keysets (binary Tink
 * keyset format) for HPKE (others encrypt to it) and Ed25519 (others verify its signatures).
 * The constructor refuses any other shape ({@link KeysetShape}): more than one key, another
 * algorithm or parameter set, a disabled key, or secret key material.
 *
 * <p>JSON form ({@link #toJson} / {@link #fromJson}):
 * {@code {"routerId": "...", "hpkePublicKeyset": "<base64>", "signaturePublicKeyset": "<base64>"}}.
 */
public record PublicKeys(String routerId, byte[] hpkePublicKeyset, byte[] signaturePublicKeyset) {
    /** Public keysets are a few hundred bytes; refuse anything much larger before parsing. */
    static final int MAX_KEYSET_LENGTH = 16 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> JSON_FIELDS = Set.of("routerId", "hpkePublicKeyset", "signaturePublicKeyset");

    static {
        Tink.ensureRegistered(); // before the constructor parses the keysets
    }

    public PublicKeys {
        Ids.check("router id", routerId);
        hpkePublicKeyset = checkedCopy(hpkePublicKeyset, "HPKE");
        signaturePublicKeyset = checkedCopy(signaturePublicKeyset, "signature");
        try {
            hybridEncrypt(hpkePublicKeyset);
            verifier(signaturePublicKeyset);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("public keys of router " + routerId + " are not valid: " + e.getMessage(), e);
        }
    }

    @Override
    public byte[] hpkePublicKeyset() {
        return hpkePublicKeyset.clone();
    }

    @Override
    public byte[] signaturePublicKeyset() {
        return signaturePublicKeyset.clone();
    }

    /**
     * SHA-256, lowercase hex, over both public keysets (each preceded by its 4-byte big-endian
     * length, HPKE first): what operators compare and pin. The router id is not part of it.
     */
    public String fingerprint() {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(ByteBuffer.allocate(4).putInt(hpkePublicKeyset.length).array());
            sha.update(hpkePublicKeyset);
            sha.update(ByteBuffer.allocate(4).putInt(signaturePublicKeyset.length).array());
            sha.update(signaturePublicKeyset);
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    public String toJson() {
        ObjectNode o = JSON.createObjectNode();
        o.put("routerId", routerId);
        o.put("hpkePublicKeyset", Base64.getEncoder().encodeToString(hpkePublicKeyset));
        o.put("signaturePublicKeyset", Base64.getEncoder().encodeToString(signaturePublicKeyset));
        return o.toString();
    }

    /** Parses {@link #toJson}'s form; unknown or missing fields and bad base64 are errors. */
    public static PublicKeys fromJson(String json) throws IOException {
        JsonNode o = JSON.readTree(json);
        if (o == null || !o.isObject()) throw new IOException("public keys: expected a JSON object");
        for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!JSON_FIELDS.contains(f)) throw new IOException("public keys: unknown field '" + f + "'");
        }
        try {
            return new PublicKeys(text(o, "routerId"),
                    Base64.getDecoder().decode(text(o, "hpkePublicKeyset")),
                    Base64.getDecoder().decode(text(o, "signaturePublicKeyset")));
        } catch (IllegalArgumentException e) {
            throw new IOException("public keys: " + e.getMessage(), e);
        }
    }

    HybridEncrypt hybridEncrypt() throws GeneralSecurityException {
        return hybridEncrypt(hpkePublicKeyset);
    }

    PublicKeyVerify verifier() throws GeneralSecurityException {
        return verifier(signaturePublicKeyset);
    }

    private static HybridEncrypt hybridEncrypt(byte[] keyset) throws GeneralSecurityException {
        KeysetHandle h = parse(keyset, "HPKE");
        KeysetShape.require(h, HpkePublicKey.class, Tink.HPKE, "HPKE");
        return h.getPrimitive(Tink.CONFIG, HybridEncrypt.class);
    }

    private static PublicKeyVerify verifier(byte[] keyset) throws GeneralSecurityException {
        KeysetHandle h = parse(keyset, "signature");
        KeysetShape.require(h, Ed25519PublicKey.class, Tink.SIGNATURE, "signature");
        return h.getPrimitive(Tink.CONFIG, PublicKeyVerify.class);
    }

    /** Refuses keysets with secret key material: a router must never publish its private keys. */
    private static KeysetHandle parse(byte[] keyset, String what) throws GeneralSecurityException {
        try {
            return TinkProtoKeysetFormat.parseKeysetWithoutSecret(keyset);
        } catch (GeneralSecurityException e) {
            throw new GeneralSecurityException(what + " keyset holds secret key material or is not a Tink public keyset: " + e.getMessage(), e);
        }
    }

    private static byte[] checkedCopy(byte[] keyset, String what) {
        if (keyset == null || keyset.length == 0) throw new IllegalArgumentException("empty " + what + " public keyset");
        if (keyset.length > MAX_KEYSET_LENGTH) throw new IllegalArgumentException(what + " public keyset too large");
        return keyset.clone();
    }

    private static String text(JsonNode o, String field) throws IOException {
        JsonNode v = o.get(field);
        if (v == null || !v.isTextual()) throw new IOException("public keys: missing string field '" + field + "'");
        return v.asText();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PublicKeys p && routerId.equals(p.routerId)
                && Arrays.equals(hpkePublicKeyset, p.hpkePublicKeyset)
                && Arrays.equals(signaturePublicKeyset, p.signaturePublicKeyset);
    }

    @Override
    public int hashCode() {
        return (31 * routerId.hashCode() + Arrays.hashCode(hpkePublicKeyset)) * 31 + Arrays.hashCode(signaturePublicKeyset);
    }

    @Override
    public String toString() {
        return "PublicKeys[" + routerId + ", fingerprint " + fingerprint() + "]";
    }
}
