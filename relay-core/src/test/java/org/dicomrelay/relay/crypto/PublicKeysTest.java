package org.dicomrelay.relay.crypto;

import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeyStatus;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.Parameters;
import com.google.crypto.tink.TinkProtoKeysetFormat;
import com.google.crypto.tink.hybrid.HpkeParameters;
import com.google.crypto.tink.hybrid.PredefinedHybridParameters;
import com.google.crypto.tink.proto.KeyStatusType;
import com.google.crypto.tink.proto.Keyset;
import com.google.crypto.tink.signature.Ed25519Parameters;
import com.google.crypto.tink.signature.PredefinedSignatureParameters;
import com.google.protobuf.ExtensionRegistryLite;
import org.junit.jupiter.api.Test;

import java.io.IOException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Public keys travel as JSON, fingerprint stably, and can never carry private key material. */
class PublicKeysTest {
    static final RouterKeys K = RouterKeys.generate();

    @Test
    void jsonRoundTripKeepsKeysAndFingerprint() throws IOException {
        PublicKeys p = K.publicKeys("router-a");
        String json = p.toJson();
        assertThat(json).contains("\"routerId\":\"router-a\"", "\"hpkePublicKeyset\":\"", "\"signaturePublicKeyset\":\"");
        PublicKeys back = PublicKeys.fromJson(json);
        assertThat(back).isEqualTo(p);
        assertThat(back.fingerprint()).isEqualTo(p.fingerprint()).matches("[0-9a-f]{64}");
    }

    @Test
    void fingerprintsTellRoutersApartAndDoNotDependOnTheId() {
        assertThat(K.publicKeys("x").fingerprint()).isEqualTo(K.publicKeys("y").fingerprint());
        assertThat(RouterKeys.generate().publicKeys("x").fingerprint()).isNotEqualTo(K.publicKeys("x").fingerprint());
    }

    @Test
    void keysetsWithSecretMaterialAreRefused() throws Exception {
        KeysetHandle hpkePrivate = KeysetHandle.generateNew(Tink.HPKE);
        byte[] secret = TinkProtoKeysetFormat.serializeKeyset(hpkePrivate, InsecureSecretKeyAccess.get());
        PublicKeys ok = K.publicKeys("r");
        assertThatThrownBy(() -> new PublicKeys("r", secret, ok.signaturePublicKeyset()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void keysetsOfTheWrongKindAreRefused() {
        PublicKeys ok = K.publicKeys("r");
        assertThatThrownBy(() -> new PublicKeys("r", ok.signaturePublicKeyset(), ok.hpkePublicKeyset()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PublicKeys("r", new byte[] {1, 2, 3}, ok.signaturePublicKeyset()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void malformedJsonIsRefused() {
        String good = K.publicKeys("router-a").toJson();
        for (String bad : new String[] {"[]", "{}", good.replace("\"routerId\"", "\"routerID\""),
                good.replace("}", ",\"extra\":1}"), good.replace("\"hpkePublicKeyset\":\"", "\"hpkePublicKeyset\":\"*"),
                good.replace("\"router-", "\"router ")}) {
            assertThatThrownBy(() -> PublicKeys.fromJson(bad)).as(bad).isInstanceOf(IOException.class);
        }
    }

    @Test
    void accessorsReturnCopies() {
        PublicKeys p = K.publicKeys("r");
        String before = p.fingerprint();
        p.hpkePublicKeyset()[0] ^= 1;
        assertThat(p.fingerprint()).isEqualTo(before);
    }

    // --- Keyset shapes (issue 9): only what RouterKeys.generate() produces is a peer's public keys. ---

    @Test
    void theShapeRouterKeysGenerateIsAccepted() throws Exception {
        PublicKeys p = RouterKeys.generate().publicKeys("r");
        KeysetHandle hpke = TinkProtoKeysetFormat.parseKeysetWithoutSecret(p.hpkePublicKeyset());
        KeysetHandle sig = TinkProtoKeysetFormat.parseKeysetWithoutSecret(p.signaturePublicKeyset());
        assertThat(hpke.size()).isOne();
        assertThat(hpke.getPrimary().getKey().getParameters()).isEqualTo(Tink.HPKE);
        assertThat(sig.size()).isOne();
        assertThat(sig.getPrimary().getKey().getParameters()).isEqualTo(Tink.SIGNATURE);
        assertThat(PublicKeys.fromJson(p.toJson())).isEqualTo(p);
    }

    @Test
    void aSignatureKeysetWithAnExtraKeyIsRefused() throws Exception {
        byte[] two = publicKeyset(KeysetHandle.newBuilder()
                .addEntry(KeysetHandle.generateEntryFromParameters(Tink.SIGNATURE).withRandomId().makePrimary())
                .addEntry(KeysetHandle.generateEntryFromParameters(Tink.SIGNATURE).withRandomId())
                .build());
        assertRefusedSignature(two, "signature keyset must hold exactly one key, holds 2");
    }

    @Test
    void aHybridKeysetWithAnExtraKeyIsRefused() throws Exception {
        byte[] two = publicKeyset(KeysetHandle.newBuilder()
                .addEntry(KeysetHandle.generateEntryFromParameters(Tink.HPKE).withRandomId().makePrimary())
                .addEntry(KeysetHandle.generateEntryFromParameters(Tink.HPKE).withRandomId().setStatus(KeyStatus.DISABLED))
                .build());
        assertRefusedHpke(two, "HPKE keyset must hold exactly one key, holds 2");
    }

    @Test
    void anEciesHybridKeyIsRefused() throws Exception {
        assertRefusedHpke(generatedPublic(PredefinedHybridParameters.ECIES_P256_HKDF_HMAC_SHA256_AES128_GCM),
                "HPKE keyset holds a EciesPublicKey, expected a HpkePublicKey");
    }

    @Test
    void hpkeWithAnotherKemKdfAeadOrPrefixIsRefused() throws Exception {
        HpkeParameters p256 = hpke(HpkeParameters.KemId.DHKEM_P256_HKDF_SHA256, HpkeParameters.KdfId.HKDF_SHA256,
                HpkeParameters.AeadId.AES_256_GCM, HpkeParameters.Variant.TINK);
        HpkeParameters sha512 = hpke(HpkeParameters.KemId.DHKEM_X25519_HKDF_SHA256, HpkeParameters.KdfId.HKDF_SHA512,
                HpkeParameters.AeadId.AES_256_GCM, HpkeParameters.Variant.TINK);
        HpkeParameters chacha = hpke(HpkeParameters.KemId.DHKEM_X25519_HKDF_SHA256, HpkeParameters.KdfId.HKDF_SHA256,
                HpkeParameters.AeadId.CHACHA20_POLY1305, HpkeParameters.Variant.TINK);
        HpkeParameters raw = hpke(HpkeParameters.KemId.DHKEM_X25519_HKDF_SHA256, HpkeParameters.KdfId.HKDF_SHA256,
                HpkeParameters.AeadId.AES_256_GCM, HpkeParameters.Variant.NO_PREFIX);
        for (HpkeParameters other : new HpkeParameters[] {p256, sha512, chacha, raw}) {
            assertRefusedHpke(generatedPublic(other), "HPKE key has parameters " + other + ", expected " + Tink.HPKE);
        }
    }

    @Test
    void ecdsaOrEd25519WithAnotherOutputPrefixIsRefused() throws Exception {
        assertRefusedSignature(generatedPublic(PredefinedSignatureParameters.ECDSA_P256),
                "signature keyset holds a EcdsaPublicKey, expected a Ed25519PublicKey");
        for (Ed25519Parameters.Variant v : new Ed25519Parameters.Variant[] {Ed25519Parameters.Variant.NO_PREFIX,
                Ed25519Parameters.Variant.CRUNCHY, Ed25519Parameters.Variant.LEGACY}) {
            Ed25519Parameters other = Ed25519Parameters.create(v);
            assertRefusedSignature(generatedPublic(other), "signature key has parameters " + other + ", expected " + Tink.SIGNATURE);
        }
    }

    @Test
    void aDisabledOrDestroyedKeyIsRefused() throws Exception {
        PublicKeys ok = K.publicKeys("r");
        for (KeyStatusType status : new KeyStatusType[] {KeyStatusType.DISABLED, KeyStatusType.DESTROYED}) {
            Keyset proto = Keyset.parseFrom(ok.signaturePublicKeyset(), ExtensionRegistryLite.getEmptyRegistry());
            Keyset.Builder b = proto.toBuilder();
            b.setKey(0, b.getKey(0).toBuilder().setStatus(status));
            if (status == KeyStatusType.DESTROYED) b.setKey(0, b.getKey(0).toBuilder().clearKeyData());
            byte[] bad = b.build().toByteArray();
            assertThatThrownBy(() -> new PublicKeys("router-x", ok.hpkePublicKeyset(), bad)).as(status.toString())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("public keys of router router-x are not valid: ");
        }
    }

    @Test
    void aPrivateKeysetWhereAPublicOneIsExpectedIsRefused() throws Exception {
        PublicKeys ok = K.publicKeys("r");
        byte[] privateSig = TinkProtoKeysetFormat.serializeKeyset(KeysetHandle.generateNew(Tink.SIGNATURE), InsecureSecretKeyAccess.get());
        assertThatThrownBy(() -> new PublicKeys("router-x", ok.hpkePublicKeyset(), privateSig))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("router-x").hasMessageContaining("secret key material");
    }

    private static HpkeParameters hpke(HpkeParameters.KemId kem, HpkeParameters.KdfId kdf, HpkeParameters.AeadId aead,
                                       HpkeParameters.Variant variant) throws Exception {
        return HpkeParameters.builder().setKemId(kem).setKdfId(kdf).setAeadId(aead).setVariant(variant).build();
    }

    private static byte[] generatedPublic(Parameters p) throws Exception {
        return publicKeyset(KeysetHandle.generateNew(p));
    }

    private static byte[] publicKeyset(KeysetHandle privateKeyset) throws Exception {
        return TinkProtoKeysetFormat.serializeKeysetWithoutSecret(privateKeyset.getPublicKeysetHandle());
    }

    private static void assertRefusedHpke(byte[] hpkeKeyset, String reason) {
        assertThatThrownBy(() -> new PublicKeys("router-x", hpkeKeyset, K.publicKeys("r").signaturePublicKeyset()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("public keys of router router-x are not valid: " + reason);
    }

    private static void assertRefusedSignature(byte[] signatureKeyset, String reason) {
        assertThatThrownBy(() -> new PublicKeys("router-x", K.publicKeys("r").hpkePublicKeyset(), signatureKeyset))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("public keys of router router-x are not valid: " + reason);
    }
}
