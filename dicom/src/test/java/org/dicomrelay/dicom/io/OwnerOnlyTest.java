package org.dicomrelay.dicom.io;

import org.dicomrelay.testkit.FileModes;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Files with patient data or keys are 0600 and their folders 0700 whatever the umask (issue 9):
 * under this JVM's umask (022 where the suite runs) plain creation would give 0644/0755, so every
 * mode asserted here was set by {@link OwnerOnly}.
 */
class OwnerOnlyTest {
    @TempDir Path tmp;

    @BeforeEach void permissiveUmask() throws Exception {
        assumeTrue(FileModes.umaskIsPermissive(tmp), "the umask already keeps others out: nothing to prove");
    }

    @Test void foldersAndEveryMissingParentAreCreated0700() throws Exception {
        Path d = OwnerOnly.folder(tmp.resolve("state/keys"));
        assertThat(FileModes.mode(d)).isEqualTo("rwx------");
        assertThat(FileModes.mode(tmp.resolve("state"))).isEqualTo("rwx------");
    }

    @Test void anExistingFolderIsTightenedByFolderButLeftByNewFolders() throws Exception {
        Path mine = Files.createDirectories(tmp.resolve("mine")), theirs = Files.createDirectories(tmp.resolve("theirs"));
        assertThat(FileModes.mode(mine)).isEqualTo("rwxr-xr-x");
        OwnerOnly.folder(mine);
        OwnerOnly.newFolders(theirs);
        assertThat(FileModes.mode(mine)).isEqualTo("rwx------");
        assertThat(FileModes.mode(theirs)).as("an archive folder the operator made keeps its mode").isEqualTo("rwxr-xr-x");
        assertThat(FileModes.mode(OwnerOnly.newFolders(theirs.resolve("study")))).isEqualTo("rwx------");
    }

    @Test void filesAre0600FromTheirFirstByte() throws Exception {
        Path f = tmp.resolve("credentials.json");
        try (OutputStream out = OwnerOnly.newOutputStream(f, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            assertThat(FileModes.mode(f)).as("before anything is written").isEqualTo("rw-------");
            out.write(1);
        }
        assertThat(FileModes.mode(OwnerOnly.createTempFile(tmp, "incoming-", ".dcm"))).isEqualTo("rw-------");
    }

    @Test void replaceWritesThrough0600TemporaryFileAndLeavesNoneBehind() throws Exception {
        Path f = tmp.resolve("routes.json");
        Path staleTmp = Files.writeString(tmp.resolve("routes.json.tmp"), "left by a crash of an older version");
        assertThat(FileModes.mode(staleTmp)).isEqualTo("rw-r--r--");
        OwnerOnly.replace(f, "[]".getBytes());
        OwnerOnly.replace(f, "[1]".getBytes());
        assertThat(Files.readString(f)).isEqualTo("[1]");
        assertThat(FileModes.mode(f)).isEqualTo("rw-------");
        assertThat(staleTmp).doesNotExist();
    }

    @Test void tightenBringsATreeFromAnOlderVersionToOwnerOnlyWithoutFollowingLinks() throws Exception {
        Path outside = Files.writeString(tmp.resolve("outside.txt"), "not ours");
        Path state = Files.createDirectories(tmp.resolve("state/spool"));
        Files.writeString(state.resolve("a.dcm"), "x");
        Files.writeString(tmp.resolve("state/routes.json"), "[]");
        Files.createSymbolicLink(tmp.resolve("state/link"), outside);
        OwnerOnly.tighten(tmp.resolve("state"));
        assertThat(FileModes.notOwnerOnly(tmp.resolve("state"))).isEmpty();
        assertThat(FileModes.count(tmp.resolve("state"))).isEqualTo(5);
        assertThat(FileModes.mode(outside)).as("a link's target is not ours to change").isEqualTo("rw-r--r--");
    }
}
