package org.dicomrelay.relay.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the Bridge signs must pin every field: no two different records may share signed bytes. */
class SignedRecordsTest {

    @Test
    void fieldBoundariesAreUnambiguous() {
        // same concatenation "ab" + "c" vs "a" + "bc": length prefixes keep them apart
        RouterRecord r1 = new RouterRecord("r", new byte[] {1, 2}, new byte[] {3});
        RouterRecord r2 = new RouterRecord("r", new byte[] {1}, new byte[] {2, 3});
        assertThat(r1.signedBytes()).isNotEqualTo(r2.signedBytes());
        assertThat(new AeRecord("AB", "c", List.of("echo")).signedBytes())
                .isNotEqualTo(new AeRecord("A", "bc", List.of("echo")).signedBytes());
    }

    @Test
    void routerAndAeRecordsCannotBeConfused() {
        // domain labels differ, so a signature over one kind never fits the other
        assertThat(new String(new RouterRecord("x", new byte[] {1}, new byte[] {1}).signedBytes(), java.nio.charset.StandardCharsets.ISO_8859_1))
                .contains("router-record/v1");
        assertThat(new String(new AeRecord("X", "x", List.of("echo")).signedBytes(), java.nio.charset.StandardCharsets.ISO_8859_1))
                .contains("ae-record/v1");
    }

    @Test
    void servicesAreNormalisedBeforeSigning() {
        assertThat(new AeRecord("PACS", "r", List.of("store", "echo", "store")).signedBytes())
                .isEqualTo(new AeRecord("PACS", "r", List.of("echo", "store")).signedBytes());
    }

    @Test
    void validation() {
        assertThatThrownBy(() -> new RouterRecord("-bad", new byte[] {1}, new byte[] {1})).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RouterRecord("r", new byte[0], new byte[] {1})).hasMessageContaining("hpke");
        assertThatThrownBy(() -> new RouterRecord("r", new byte[] {1}, new byte[RouterRecord.MAX_KEY_BYTES + 1])).hasMessageContaining("signature");
        // PS3.5 AE VR: at most 16 characters, no backslash, no control characters; padding is not significant
        assertThatThrownBy(() -> AeRecord.requireValidAeTitle("SEVENTEEN_CHARS_X")).hasMessageContaining("16");
        assertThatThrownBy(() -> AeRecord.requireValidAeTitle("A\\B")).hasMessageContaining("backslash");
        assertThatThrownBy(() -> AeRecord.requireValidAeTitle(" PACS")).hasMessageContaining("spaces");
        assertThatThrownBy(() -> new AeRecord("PACS", "r", List.of("print"))).hasMessageContaining("print");
        AeRecord.requireValidAeTitle("MY AE-1");
    }

    @Test
    void credentialsNeverShowTheApiKey() {
        BridgeCredentials c = new BridgeCredentials(URI.create("https://bridge.example"), "r1", "drk_secret-value", new byte[] {1});
        assertThat(c.toString()).doesNotContain("drk_secret-value").contains("r1");
    }
}
