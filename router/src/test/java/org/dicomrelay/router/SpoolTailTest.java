package org.dicomrelay.router;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The spool file read while it is written (router A's head start): the reader gets every byte in
 * order and ends only once the spool says the object is whole; a spool write that fails (the
 * modality aborted) fails the reader instead of ending it cleanly, so the upload is cut, never
 * passed off as a whole object.
 */
@Timeout(30)
class SpoolTailTest {
    @TempDir Path dir;

    @Test void theReaderFollowsTheWritesAndEndsOnlyWhenTheObjectIsWhole() throws Exception {
        Path part = dir.resolve("x.part"), done = dir.resolve("x.dcm");
        AtomicInteger crossed = new AtomicInteger();
        SpoolTail tail = new SpoolTail(100, Duration.ofSeconds(10), t -> crossed.incrementAndGet());
        Files.write(part, new byte[0]);
        tail.writing(part, done);
        InputStream in = tail.open();
        CompletableFuture<byte[]> read = CompletableFuture.supplyAsync(() -> {
            try (in) {
                return in.readAllBytes();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        byte[] all = new byte[300];
        for (int i = 0; i < all.length; i++) all[i] = (byte) i;
        for (int off = 0; off < all.length; off += 60) {
            Files.write(part, java.util.Arrays.copyOfRange(all, off, off + 60), StandardOpenOption.APPEND);
            tail.grew(off + 60);
            assertThat(read).as("no end before the spool says the object is whole").isNotDone();
        }
        tail.written(all.length);
        assertThat(read.get()).isEqualTo(all);
        assertThat(crossed).as("the threshold is crossed once").hasValue(1);
        assertThat(tail.size()).isEqualTo(300);
    }

    @Test void aFailedSpoolWriteFailsTheReader() throws Exception {
        Path part = dir.resolve("y.part");
        SpoolTail tail = new SpoolTail(1, Duration.ofSeconds(10), t -> {});
        Files.write(part, new byte[10]);
        tail.writing(part, dir.resolve("y.dcm"));
        tail.grew(10);
        InputStream in = tail.open();
        assertThat(in.readNBytes(10)).hasSize(10);
        tail.failed(new IOException("A-ABORT from the modality"));
        assertThatThrownBy(in::read).isInstanceOf(IOException.class).hasMessageContaining("A-ABORT from the modality");
        assertThat(tail.size()).as("never whole").isEqualTo(-1);
    }

    @Test void aReaderAfterTheSpoolIsDoneReadsTheSpooledFile() throws Exception {
        Path part = dir.resolve("z.part"), done = dir.resolve("z.dcm");
        SpoolTail tail = new SpoolTail(1, Duration.ofSeconds(10), t -> {});
        Files.write(part, new byte[] {1, 2, 3});
        tail.writing(part, done);
        tail.grew(3);
        tail.written(3);
        Files.move(part, done);
        tail.release();
        try (InputStream in = tail.open()) {
            assertThat(in.readAllBytes()).containsExactly(1, 2, 3);
        }
    }
}
