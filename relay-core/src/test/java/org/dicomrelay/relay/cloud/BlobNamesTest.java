package org.dicomrelay.relay.cloud;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class BlobNamesTest {
    @Test
    void randomNamesAre32UrlSafeCharactersAndDoNotRepeat() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            String n = BlobNames.random();
            assertThat(n).matches("[A-Za-z0-9_-]{32}");
            assertThat(BlobNames.isValid(n)).isTrue();
            assertThat(seen.add(n)).isTrue();
        }
    }

    @Test
    void validityIsTheCharacterSetAndLength16To128() {
        assertThat(BlobNames.isValid("a".repeat(16))).isTrue();
        assertThat(BlobNames.isValid("a".repeat(128))).isTrue();
        assertThat(BlobNames.isValid("a".repeat(15))).isFalse();
        assertThat(BlobNames.isValid("a".repeat(129))).isFalse();
        assertThat(BlobNames.isValid(null)).isFalse();
        assertThat(BlobNames.isValid("abcdefghijklmnop.")).isFalse();
    }
}
