package org.dicomrelay.relay.crypto;

import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.TinkProtoKeysetFormat;
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
}
