package org.dicomrelay.router;

import org.dicomrelay.dicom.io.DicomFile;
import org.dicomrelay.dicom.net.service.StorageSource;
import org.dicomrelay.relay.io.SingleByte;
import org.dicomrelay.testkit.Samples;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.SequenceInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The spool's files: durable records that read back as written (old ones too), owner-only, and nothing left by a failed write. */
class SpoolTest {

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test void aRecordReadsBackAsWritten(@TempDir Path dir) throws Exception {
        Spool spool = new Spool(dir.resolve("spool"));
        SpoolEntry e = new SpoolEntry("e1", "PACS_B", "CT1", "1.2.840.10008.5.1.4.1.1.2", "1.2.3.4", "1.2.3", "1.2.840.10008.1.2.1", 1234, 2,
                SpoolEntry.State.DEAD_LETTER, 0xA900, "status A900H (Error: Data Set does not match SOP Class): bad", Instant.parse("2026-12-01T10:00:00Z"),
                Instant.parse("2026-12-01T10:05:00Z"));
        Files.write(spool.data("e1"), new byte[3]);
        spool.write(e);
        assertThat(spool.entries()).containsExactly(e);
        assertThat(e.lastStatusMeaning()).isEqualTo("Error: Data Set does not match SOP Class");
        assertThat(Files.readString(dir.resolve("spool/e1.json"))).contains("\"state\":\"dead-letter\"").contains("\"createdAt\":\"2026-12-01T10:00:00Z\"")
                .contains("\"lastStatusMeaning\":\"Error: Data Set does not match SOP Class\"");
    }

    @Test void aRecordWrittenBeforeDeadLettersReadsAsADeadLetter(@TempDir Path dir) throws Exception {
        Spool spool = new Spool(dir.resolve("spool"));
        Files.write(spool.data("old"), new byte[3]);
        Files.writeString(dir.resolve("spool/old.json"), "{\"id\":\"old\",\"calledAe\":\"PACS_B\",\"callingAe\":\"CT1\",\"sopClassUid\":\"1.2\","
                + "\"sopInstanceUid\":\"1.2.3.4\",\"transferSyntaxUid\":\"1.2.840.10008.1.2\",\"bytes\":3,\"attempts\":1,\"state\":\"failed\","
                + "\"lastError\":\"remote store status A900H null\"}");
        SpoolEntry e = spool.entries().get(0);
        assertThat(e.state()).isEqualTo(SpoolEntry.State.DEAD_LETTER);
        assertThat(e.lastReason()).isEqualTo("remote store status A900H null");
        assertThat(e.createdAt()).as("taken from the data file").isEqualTo(Files.getLastModifiedTime(spool.data("old")).toInstant());
        assertThat(e.studyInstanceUid()).isNull();
    }

    @Test void anAddedObjectIsKeptAsReceivedWithItsStudyUidAndOwnerOnly(@TempDir Path dir) throws Exception {
        Path ct = Samples.file("test_files/CT_small.dcm");
        StorageSource src = StorageSource.probe(ct);
        Spool spool = Spool.recover(dir.resolve("spool"));
        SpoolEntry e;
        try (InputStream in = src.openDataSet()) {
            e = spool.add(in, "PACS_B", "CT1", src.sopClassUid(), src.sopInstanceUid(), src.transferSyntax().uid());
        }
        assertThat(e.studyInstanceUid()).isEqualTo(DicomFile.read(ct).dataSet().getString(0x0020000D));
        try (InputStream in = src.openDataSet()) {
            assertThat(Files.readAllBytes(spool.data(e.id()))).isEqualTo(in.readAllBytes());
        }
        assertThat(spool.entries()).containsExactly(e);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("spool")))).isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(spool.data(e.id())))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("spool/" + e.id() + ".json")))).isEqualTo("rw-------");
        spool.close();
    }

    /** Study Instance UID (0020,000D) found in every transfer syntax, after sequences and nested items, without reading the pixel data. */
    @ParameterizedTest
    @ValueSource(strings = {"test_files/MR_small_bigendian.dcm", "test_files/image_dfl.dcm", "test_files/JPEG2000.dcm", "test_files/rtstruct.dcm",
            "test_files/MR_small_implicit.dcm"})
    void theStudyUidOfEachTransferSyntax(String sample, @TempDir Path dir) throws Exception {
        Path f = Samples.file(sample);
        StorageSource src = StorageSource.probe(f);
        Spool spool = new Spool(dir.resolve("spool"));
        try (InputStream in = src.openDataSet()) {
            SpoolEntry e = spool.add(in, "PACS_B", "CT1", src.sopClassUid(), src.sopInstanceUid(), src.transferSyntax().uid());
            assertThat(e.studyInstanceUid()).isEqualTo(DicomFile.read(f).dataSet().getString(0x0020000D)).isNotBlank();
        }
    }

    @Test void aDataSetThatCannotBeParsedIsSpooledWithoutAStudyUid(@TempDir Path dir) throws Exception {
        Spool spool = new Spool(dir.resolve("spool"));
        SpoolEntry e = spool.add(new ByteArrayInputStream(new byte[] {1, 2, 3}), "PACS_B", "CT1", "1.2", "1.2.3", "1.2.840.10008.1.2.1");
        assertThat(e.studyInstanceUid()).isNull();
        assertThat(e.bytes()).isEqualTo(3);
    }

    @Test void aWriteThatFailsMidObjectLeavesNothing(@TempDir Path dir) throws Exception {
        Spool spool = new Spool(dir.resolve("spool"));
        InputStream full = new SequenceInputStream(new ByteArrayInputStream(new byte[100_000]), new InputStream() {
            @Override public int read() throws IOException {
                throw new IOException("No space left on device");
            }
        });
        assertThatThrownBy(() -> spool.add(full, "PACS_B", "CT1", "1.2", "1.2.3", "1.2.840.10008.1.2.1")).hasMessageContaining("No space left");
        assertThat(names(dir.resolve("spool"))).isEmpty();
    }

    /**
     * The kernel writes dirty pages back only after seconds: a large object is forced while it still
     * arrives, so the force after its last byte, which the modality waits for, has only the tail to write.
     */
    @Test void aLargeObjectIsForcedWhileItIsStillArriving(@TempDir Path dir) throws Exception {
        List<Path> forced = new CopyOnWriteArrayList<>();
        CountDownLatch first = new CountDownLatch(1);
        AtomicBoolean beforeTheEnd = new AtomicBoolean();
        try (Spool spool = new Spool(dir.resolve("spool"), new EarlyForce(file -> {
            forced.add(file);
            first.countDown();
        }))) {
            // 12 MiB, then the last 4 MiB only once a force ran (or 10 s passed)
            InputStream last = new InputStream() {
                private InputStream rest;

                @Override public int read() throws IOException {
                    return SingleByte.read(this);
                }

                @Override public int read(byte[] b, int off, int len) throws IOException {
                    if (rest == null) {
                        try {
                            beforeTheEnd.set(first.await(10, TimeUnit.SECONDS));
                        } catch (InterruptedException e) {
                            throw new InterruptedIOException();
                        }
                        rest = new ByteArrayInputStream(new byte[4 << 20]);
                    }
                    return rest.read(b, off, len);
                }
            };
            SpoolEntry e = spool.add(new SequenceInputStream(new ByteArrayInputStream(new byte[12 << 20]), last),
                    "PACS_B", "CT1", "1.2", "1.2.3", "1.2.840.10008.1.2.1");
            assertThat(beforeTheEnd).as("forced before its last bytes arrived").isTrue();
            assertThat(forced).first().satisfies(p -> assertThat(p.getFileName().toString()).isEqualTo(e.id() + ".part"));
            assertThat(e.bytes()).isEqualTo(16 << 20);
        }
    }

    @Test void aSmallObjectHasOnlyTheForceAfterItsLastByte(@TempDir Path dir) throws Exception {
        List<Path> forced = new CopyOnWriteArrayList<>();
        try (Spool spool = new Spool(dir.resolve("spool"), new EarlyForce(forced::add))) {
            spool.add(new ByteArrayInputStream(new byte[(int) EarlyForce.EVERY_BYTES - 1]), "PACS_B", "CT1", "1.2", "1.2.3", "1.2.840.10008.1.2.1");
        }
        assertThat(forced).isEmpty();
    }

    @Test void aRecordWriteThatFailsLeavesNoTemporaryFile(@TempDir Path dir) throws Exception {
        Spool spool = new Spool(dir.resolve("spool"));
        Files.createDirectories(dir.resolve("spool/e1.json/occupied")); // the rename cannot replace a non-empty directory
        SpoolEntry e = SpoolEntry.received("e1", "PACS_B", "CT1", "1.2", "1.2.3", null, "1.2.840.10008.1.2.1", 3, Instant.now());
        assertThatThrownBy(() -> spool.write(e)).isInstanceOf(IOException.class);
        assertThat(names(dir.resolve("spool"))).containsExactly("e1.json");
    }

    @Test void atStartLeftoversOfInterruptedWritesGoAndEntriesStay(@TempDir Path dir) throws Exception {
        Path d = Files.createDirectories(dir.resolve("spool"));
        Spool first = new Spool(d);
        SpoolEntry kept = first.add(new ByteArrayInputStream(new byte[5]), "PACS_B", "CT1", "1.2", "1.2.3", "1.2.840.10008.1.2.1");
        Files.write(d.resolve("a.part"), new byte[5]);           // data not yet renamed
        Files.write(d.resolve("b.json.tmp"), new byte[0]);       // record not yet renamed (e.g. a full disk)
        Files.writeString(d.resolve("c.json"), "{}");            // record whose data never arrived
        Files.write(d.resolve("d.dcm"), new byte[5]);            // data whose record was removed
        Files.setPosixFilePermissions(first.data(kept.id()), PosixFilePermissions.fromString("rw-r--r--")); // an older version, umask 022
        try (Spool recovered = Spool.recover(d)) {
            assertThat(recovered.entries()).containsExactly(kept);
            assertThat(names(d)).containsExactlyInAnyOrder(kept.id() + ".dcm", kept.id() + ".json", "requests", "router.lock");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(recovered.data(kept.id())))).isEqualTo("rw-------");
        }
    }

    @Test void aSecondRouterOnTheSameSpoolIsRefused(@TempDir Path dir) throws Exception {
        try (Spool running = Spool.recover(dir.resolve("spool"))) {
            assertThat(running.whileNoRouter(() -> { })).isFalse();
            assertThatThrownBy(() -> Spool.recover(dir.resolve("spool"))).hasMessageContaining("in use by another router");
            assertThat(new Spool(dir.resolve("spool")).whileNoRouter(() -> { })).as("still held").isFalse();
        }
        assertThat(new Spool(dir.resolve("spool")).whileNoRouter(() -> { })).as("released at close").isTrue();
    }
}
