package org.dicomrelay.console;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Argon2id (RFC 9106) through Bouncy Castle, in the PHC string format. */
class PasswordHashTest {
    private static final PasswordHash.Params FAST = new PasswordHash.Params(1024, 1, 1);

    @Test void theRightPasswordVerifiesAndAWrongOneDoesNot() {
        String h = PasswordHash.hash("correct horse".toCharArray(), FAST);
        assertThat(h).startsWith("$argon2id$v=19$m=1024,t=1,p=1$");
        assertThat(PasswordHash.verify("correct horse".toCharArray(), h)).isTrue();
        assertThat(PasswordHash.verify("correct horsf".toCharArray(), h)).isFalse();
        assertThat(PasswordHash.verify(new char[0], h)).isFalse();
    }

    @Test void eachHashHasItsOwnSalt() {
        assertThat(PasswordHash.hash("same".toCharArray(), FAST)).isNotEqualTo(PasswordHash.hash("same".toCharArray(), FAST));
    }

    @Test void theDefaultParametersAreStoredWithTheHash() {
        String h = PasswordHash.hash("a password".toCharArray());
        assertThat(h).contains("m=19456,t=2,p=1");
        assertThat(PasswordHash.verify("a password".toCharArray(), h)).isTrue();
    }

    /** Interoperates with the reference implementation (RFC 9106's authors' argon2 tool, Debian package argon2). */
    @Test void verifiesAHashMadeByTheReferenceImplementation() {
        // echo -n password | argon2 somesalt -id -t 2 -m 12 -p 2 -l 32 -e
        String reference = "$argon2id$v=19$m=4096,t=2,p=2$c29tZXNhbHQ$dyEuuPov0xmpJ+eUsnLp3LAoWe8F71UV8xSUtN/TiaE";
        assertThat(PasswordHash.verify("password".toCharArray(), reference)).isTrue();
    }

    @Test void aMalformedHashNeverVerifies() {
        assertThat(PasswordHash.verify("x".toCharArray(), "$argon2i$v=19$m=1024,t=1,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc")).isFalse();
        assertThat(PasswordHash.verify("x".toCharArray(), null)).isFalse();
        assertThat(PasswordHash.verify("x".toCharArray(), "plain")).isFalse();
    }
}
