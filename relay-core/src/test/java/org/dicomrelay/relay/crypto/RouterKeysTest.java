package org.dicomrelay.relay.crypto;

import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.TinkProtoKeysetFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Router keys survive save/load, are stored owner-only, and are not overwritten by accident. */
class RouterKeysTest {
    @TempDir
    Path dir;

    @Test
    void savedKeysLoadBackAndStillSealAndOpen() throws IOException {
        RouterKeys a = RouterKeys.generate();
        RouterKeys b = RouterKeys.generate();
        a.save(dir.resolve("a"));
        b.save(dir.resolve("b"));
        RouterKeys a2 = RouterKeys.load(dir.resolve("a"));
        RouterKeys b2 = RouterKeys.load(dir.resolve("b"));
        assertThat(a2.publicKeys("router-a")).isEqualTo(a.publicKeys("router-a"));
        assertThat(b2.publicKeys("router-b").fingerprint()).isEqualTo(b.publicKeys("router-b").fingerprint());

        // sealed with the original sender keys, opened with the loaded recipient keys, and vice versa
        for (RouterKeys[] pair : new RouterKeys[][] {{a, b2}, {a2, b}}) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (OutputStream s = Envelope.seal(out, pair[0], "router-a", b.publicKeys("router-b"), "application/dicom", "m1", EnvelopeTest.STAMP)) {
                s.write("hello".getBytes());
            }
            try (Envelope.Opened o = Envelope.open(new ByteArrayInputStream(out.toByteArray()), pair[1], "router-b",
                    Map.of("router-a", a.publicKeys("router-a"))::get)) {
                assertThat(o.plaintext().readAllBytes()).isEqualTo("hello".getBytes());
            }
        }
    }

    @Test
    void keyFilesAreReadableAndWritableByTheirOwnerOnly() throws IOException {
        assumeTrue(Files.getFileStore(dir).supportsFileAttributeView("posix"), "POSIX file system");
        Path keys = dir.resolve("keys");
        RouterKeys.generate().save(keys);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keys))).isEqualTo("rwx------");
        for (String f : new String[] {RouterKeys.HPKE_FILE, RouterKeys.SIGNATURE_FILE}) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keys.resolve(f)))).isEqualTo("rw-------");
        }
        try (var files = Files.list(keys)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .as("no temporary files left").containsExactlyInAnyOrder(RouterKeys.HPKE_FILE, RouterKeys.SIGNATURE_FILE);
        }
    }

    @Test
    void existingKeysAreNeverOverwritten() throws IOException {
        RouterKeys first = RouterKeys.generate();
        first.save(dir);
        assertThatThrownBy(() -> RouterKeys.generate().save(dir)).isInstanceOf(FileAlreadyExistsException.class);
        assertThat(RouterKeys.load(dir).publicKeys("r")).isEqualTo(first.publicKeys("r"));
    }

    @Test
    void swappedOrForeignKeyFilesAreRefused() throws IOException {
        RouterKeys.generate().save(dir);
        Path hpke = dir.resolve(RouterKeys.HPKE_FILE), sig = dir.resolve(RouterKeys.SIGNATURE_FILE), t = dir.resolve("t");
        Files.move(hpke, t);
        Files.move(sig, hpke);
        Files.move(t, sig);
        assertThatThrownBy(() -> RouterKeys.load(dir)).isInstanceOf(IOException.class).hasMessageContaining("not valid");
        Files.write(hpke, new byte[] {1, 2, 3});
        assertThatThrownBy(() -> RouterKeys.load(dir)).isInstanceOf(IOException.class);
    }

    @Test
    void toStringShowsNoKeyMaterial() throws Exception {
        RouterKeys k = RouterKeys.generate();
        k.save(dir);
        String s = k.toString();
        byte[] secret = Files.readAllBytes(dir.resolve(RouterKeys.HPKE_FILE));
        assertThat(s).doesNotContain(Base64.getEncoder().encodeToString(secret)).contains("not shown");
        // sanity: the file really holds a private keyset
        assertThat(TinkProtoKeysetFormat.parseKeyset(secret, InsecureSecretKeyAccess.get()).size()).isEqualTo(1);
    }
}
