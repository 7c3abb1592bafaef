package org.dicomrelay.console;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;

/** Replacing a configuration file: all or nothing, its mode kept, no temporary file left. */
class AtomicFileTest {
    @TempDir Path dir;

    @Test void replacesTheContentAndKeepsTheMode() throws Exception {
        Path f = dir.resolve("router.yaml");
        Files.writeString(f, "old");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r-----"));
        AtomicFile.write(f, "new".getBytes(StandardCharsets.UTF_8));
        assertThat(Files.readString(f)).isEqualTo("new");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).isEqualTo("rw-r-----");
        try (var s = Files.list(dir)) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactly("router.yaml");
        }
    }

    @Test void aNewFileIsOwnerOnly() throws Exception {
        Path f = dir.resolve("accounts.json");
        AtomicFile.write(f, "[]".getBytes(StandardCharsets.UTF_8));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).isEqualTo("rw-------");
    }
}
