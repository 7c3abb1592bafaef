package org.dicomrelay.relay.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Key rotation (issue 9): the old keys vouch for the new ones; replaced HPKE keys still open what was sealed to them. */
class KeyRotationTest {

    @TempDir Path dir;

    @Test
    void theOldSignatureKeyVouchesForTheNewKeys() throws Exception {
        RouterKeys k0 = RouterKeys.generate();
        PublicKeys p0 = k0.publicKeys("b");
        PublicKeys p1 = RouterKeys.generate().publicKeys("b");
        byte[] proof = KeyRotation.sign(k0, p1);
        KeyRotation.verify(p0, p1, proof);

        assertThatThrownBy(() -> KeyRotation.verify(RouterKeys.generate().publicKeys("b"), p1, proof)).isInstanceOf(GeneralSecurityException.class);
        // bound to the router ID and to both new keysets
        PublicKeys p1AsC = new PublicKeys("c", p1.hpkePublicKeyset(), p1.signaturePublicKeyset());
        assertThatThrownBy(() -> KeyRotation.verify(new PublicKeys("c", p0.hpkePublicKeyset(), p0.signaturePublicKeyset()), p1AsC, proof))
                .isInstanceOf(GeneralSecurityException.class);
        PublicKeys mixed = new PublicKeys("b", RouterKeys.generate().publicKeys("b").hpkePublicKeyset(), p1.signaturePublicKeyset());
        assertThatThrownBy(() -> KeyRotation.verify(p0, mixed, proof)).isInstanceOf(GeneralSecurityException.class);
    }

    @Test
    void aChainIsFollowedFromThePinnedKeysOnly() throws Exception {
        RouterKeys k0 = RouterKeys.generate(), k1 = RouterKeys.generate();
        PublicKeys p0 = k0.publicKeys("b"), p1 = k1.publicKeys("b"), p2 = RouterKeys.generate().publicKeys("b");
        List<KeyRotation.Step> chain = List.of(new KeyRotation.Step(p0, null), new KeyRotation.Step(p1, KeyRotation.sign(k0, p1)),
                new KeyRotation.Step(p2, KeyRotation.sign(k1, p2)));
        assertThat(KeyRotation.follow(p0, chain)).isEqualTo(p2);
        assertThat(KeyRotation.follow(p1, chain)).isEqualTo(p2);
        assertThatThrownBy(() -> KeyRotation.follow(RouterKeys.generate().publicKeys("b"), chain))
                .hasMessageContaining("not in the published key history");
        List<KeyRotation.Step> broken = List.of(chain.get(0), new KeyRotation.Step(p2, KeyRotation.sign(k1, p2)));
        assertThatThrownBy(() -> KeyRotation.follow(p0, broken)).hasMessageContaining("not signed by the keys before it");
    }

    @Test
    void aMessageSealedBeforeTheRotationStillOpensAfterIt() throws Exception {
        RouterKeys sender = RouterKeys.generate();
        RouterKeys.generate().save(dir);
        RouterKeys before = RouterKeys.load(dir);
        byte[] sealed = seal(sender, before.publicKeys("b"), "in flight");

        RouterKeys next = RouterKeys.prepareRotation(dir);
        assertThat(RouterKeys.prepareRotation(dir).publicKeys("b")).as("a retry publishes the same keys").isEqualTo(next.publicKeys("b"));
        RouterKeys.commitRotation(dir, Instant.now());
        RouterKeys after = RouterKeys.load(dir);
        assertThat(after.publicKeys("b")).isEqualTo(next.publicKeys("b"));
        assertThat(open(after, sender, sealed)).isEqualTo("in flight");
        assertThat(open(after, sender, seal(sender, after.publicKeys("b"), "new"))).isEqualTo("new");
        try (var s = Files.list(dir.resolve(RouterKeys.PREVIOUS_DIR))) {
            for (Path p : s.toList()) assertThat(Files.getPosixFilePermissions(p)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        }

        // a replaced key older than PREVIOUS_KEPT is deleted at load, and what was sealed to it no longer opens
        RouterKeys.prepareRotation(dir);
        RouterKeys.commitRotation(dir, Instant.now().minus(RouterKeys.PREVIOUS_KEPT).minus(Duration.ofMinutes(1)));
        RouterKeys later = RouterKeys.load(dir);
        assertThat(open(later, sender, seal(sender, after.publicKeys("b"), "x"))).isNull();
    }

    private static byte[] seal(RouterKeys sender, PublicKeys to, String text) throws Exception {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (OutputStream out = Envelope.sealSmall(bos, sender, "a", to, "text", "m1", EnvelopeTest.STAMP)) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        }
        return bos.toByteArray();
    }

    private static String open(RouterKeys recipient, RouterKeys sender, byte[] sealed) throws Exception {
        try (Envelope.Opened o = Envelope.open(new ByteArrayInputStream(sealed), recipient, "b", Map.of("a", sender.publicKeys("a"))::get)) {
            return new String(o.plaintext().readAllBytes(), StandardCharsets.UTF_8);
        } catch (EnvelopeException e) {
            return null;
        }
    }
}
