package org.dicomrelay.relay.bridge;

import java.util.Arrays;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * A router's identity as the Bridge vouches for it: its ID and its two public keys (one to
 * encrypt to it with HPKE, one to verify its signatures), both opaque serialized public keys.
 * The Bridge signs it as part of the whole directory ({@link SignedDirectory}); routers also pin
 * the keys on first sight and accept a change only with a rotation proof or an operator's word.
 */
public record RouterRecord(String routerId, byte[] hpkePublicKey, byte[] signaturePublicKey) {

    /** Router IDs: 1 to 64 characters of letters, digits, '.', '_' and '-', starting with a letter or digit. */
    public static final Pattern ROUTER_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    /** Upper bound for one serialized public key. */
    public static final int MAX_KEY_BYTES = 4096;

    public RouterRecord {
        requireValidRouterId(routerId);
        hpkePublicKey = checkKey("hpke", hpkePublicKey);
        signaturePublicKey = checkKey("signature", signaturePublicKey);
    }

    @Override
    public byte[] hpkePublicKey() {
        return hpkePublicKey.clone();
    }

    @Override
    public byte[] signaturePublicKey() {
        return signaturePublicKey.clone();
    }

    public String hpkePublicKeyBase64() {
        return Base64.getEncoder().encodeToString(hpkePublicKey);
    }

    public String signaturePublicKeyBase64() {
        return Base64.getEncoder().encodeToString(signaturePublicKey);
    }

    public static void requireValidRouterId(String routerId) {
        if (routerId == null || !ROUTER_ID.matcher(routerId).matches()) {
            throw new IllegalArgumentException("router ID must be 1-64 characters of [A-Za-z0-9._-], starting with a letter or digit");
        }
    }

    private static byte[] checkKey(String what, byte[] key) {
        if (key == null || key.length == 0) throw new IllegalArgumentException(what + " public key is missing");
        if (key.length > MAX_KEY_BYTES) throw new IllegalArgumentException(what + " public key is longer than " + MAX_KEY_BYTES + " bytes");
        return key.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RouterRecord r
                && routerId.equals(r.routerId)
                && Arrays.equals(hpkePublicKey, r.hpkePublicKey)
                && Arrays.equals(signaturePublicKey, r.signaturePublicKey);
    }

    @Override
    public int hashCode() {
        return (routerId.hashCode() * 31 + Arrays.hashCode(hpkePublicKey)) * 31 + Arrays.hashCode(signaturePublicKey);
    }

    @Override
    public String toString() {
        return "RouterRecord[" + routerId + ", hpke " + hpkePublicKey.length + " bytes, signature " + signaturePublicKey.length + " bytes]";
    }
}
