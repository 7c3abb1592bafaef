package org.dicomrelay.relay.cloud.fs;

import org.dicomrelay.relay.cloud.BlobNames;
import org.dicomrelay.relay.cloud.BlobStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Blobs in a folder: visible whole or not at all, nothing left behind on abort, no way out of the root. */
class FileSystemBlobStoreTest {
    @TempDir
    Path root;

    static byte[] bytes(int n, long seed) {
        byte[] b = new byte[n];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    List<Path> regularFiles() throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile).toList();
        }
    }

    @Test
    void aBlobIsInvisibleUntilItsUploadIsClosed() throws IOException {
        BlobStore store = new FileSystemBlobStore(root);
        String name = BlobNames.random();
        byte[] content = bytes(300_000, 1);
        BlobStore.Upload up = store.create(name, "hospital-b");
        up.write(content, 0, 200_000);
        up.flush();
        assertThatThrownBy(() -> store.open(name)).isInstanceOf(NoSuchFileException.class);
        up.write(content, 200_000, 100_000);
        assertThatThrownBy(() -> store.open(name)).isInstanceOf(NoSuchFileException.class);
        up.close();
        try (InputStream in = store.open(name)) {
            assertThat(in.readAllBytes()).isEqualTo(content);
        }
        assertThat(regularFiles()).containsExactly(root.resolve(name.substring(0, 2)).resolve(name));
    }

    @Test
    void anAbortedUploadLeavesNothing() throws IOException {
        BlobStore store = new FileSystemBlobStore(root);
        String name = BlobNames.random();
        BlobStore.Upload up = store.create(name, "hospital-b");
        up.write(bytes(100_000, 2));
        up.flush();
        assertThat(regularFiles()).hasSize(1); // the temporary file
        up.abort();
        up.abort();
        up.close(); // after abort: no effect
        assertThat(regularFiles()).isEmpty();
        assertThatThrownBy(() -> store.open(name)).isInstanceOf(NoSuchFileException.class);
        assertThatThrownBy(() -> up.write(1)).isInstanceOf(IOException.class);
    }

    @Test
    void abortAfterCloseKeepsTheBlob() throws IOException {
        BlobStore store = new FileSystemBlobStore(root);
        String name = BlobNames.random();
        BlobStore.Upload up = store.create(name, "hospital-b");
        up.write(7);
        up.close();
        up.abort();
        try (InputStream in = store.open(name)) {
            assertThat(in.readAllBytes()).containsExactly(7);
        }
    }

    @Test
    void deleteRemovesABlobAndIgnoresAbsentOnes() throws IOException {
        BlobStore store = new FileSystemBlobStore(root);
        String name = BlobNames.random();
        try (BlobStore.Upload up = store.create(name, "hospital-b")) {
            up.write(1);
        }
        store.delete(name);
        store.delete(name);
        store.delete(BlobNames.random());
        assertThatThrownBy(() -> store.open(name)).isInstanceOf(NoSuchFileException.class);
    }

    @Test
    void namesThatCouldLeaveTheRootAreRefused() throws IOException {
        Files.writeString(root.resolve("secret"), "x");
        BlobStore store = new FileSystemBlobStore(root.resolve("store"));
        String[] bad = {"../../etc/passwd", "..", "../secret", "..%2f..%2fsecret", "/etc/passwd0000000",
                "aa/../../../secret", "aa\\..\\..\\secret00", ".tmp/abcdefghijklmn", "abcdefghijklmnop\0",
                "abcdefghijklmnöp", "abcdefghijklmno", "a".repeat(129), "", "abcdefghijklmnop.", "C:abcdefghijklmnop"};
        for (String name : bad) {
            assertThatThrownBy(() -> store.create(name, "hospital-b")).as(name).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> store.open(name)).as(name).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> store.delete(name)).as(name).isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> store.open(null)).isInstanceOf(IllegalArgumentException.class);
        assertThat(root.resolve("secret")).hasContent("x");
    }

    @Test
    void concurrentWritersOfDifferentBlobsDoNotMix() throws Exception {
        BlobStore store = new FileSystemBlobStore(root);
        int writers = 8, perWriter = 25;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            List<Callable<List<String>>> tasks = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int writer = w;
                tasks.add(() -> {
                    List<String> names = new ArrayList<>();
                    for (int i = 0; i < perWriter; i++) {
                        String name = BlobNames.random();
                        try (BlobStore.Upload up = store.create(name, "hospital-b")) {
                            byte[] content = bytes(10_000 + i * 997, writer * 1000L + i);
                            for (int off = 0; off < content.length; off += 4096) {
                                up.write(content, off, Math.min(4096, content.length - off));
                            }
                        }
                        names.add(writer + ":" + i + ":" + name);
                    }
                    return names;
                });
            }
            List<String> all = new ArrayList<>();
            for (Future<List<String>> f : pool.invokeAll(tasks)) all.addAll(f.get());
            assertThat(all).hasSize(writers * perWriter);
            for (String entry : all) {
                String[] p = entry.split(":");
                int writer = Integer.parseInt(p[0]), i = Integer.parseInt(p[1]);
                try (InputStream in = store.open(p[2])) {
                    assertThat(in.readAllBytes()).isEqualTo(bytes(10_000 + i * 997, writer * 1000L + i));
                }
            }
            try (Stream<Path> tmp = Files.list(root.resolve(FileSystemBlobStore.TMP))) {
                assertThat(tmp).as("no temporary files left").isEmpty();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** The sender's journal deletes, at its next start, what a killed run uploaded: the unfinished upload too. */
    @Test
    void deletingABlobAlsoDeletesTheUploadItsKilledWriterNeverFinished() throws IOException {
        String name = BlobNames.random();
        BlobStore.Upload killed = new FileSystemBlobStore(root).create(name, "hospital-b");
        killed.write(bytes(1000, 4));
        killed.flush(); // and then the process died: never closed, never aborted
        new FileSystemBlobStore(root).delete(name);
        try (Stream<Path> s = Files.list(root.resolve(FileSystemBlobStore.TMP))) {
            assertThat(s.toList()).as("partial uploads after the delete").isEmpty();
        }
        assertThat(regularFiles()).isEmpty();
    }

    @Test
    void partialUploadsOfAKilledWriterAreDeletedButOneInProgressIsKept() throws IOException {
        new FileSystemBlobStore(root).close();
        Path tmp = root.resolve(FileSystemBlobStore.TMP);
        // What a writer killed an hour ago left behind, and what one writing now has.
        Path abandoned = Files.write(tmp.resolve(BlobNames.random()), bytes(1000, 2));
        Files.setLastModifiedTime(abandoned, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 3_600_000));
        BlobStore other = new FileSystemBlobStore(root, java.time.Duration.ofDays(1));
        BlobStore.Upload inProgress = other.create(BlobNames.random(), "hospital-b");
        inProgress.write(bytes(1000, 3));
        inProgress.flush();

        FileSystemBlobStore restarted = new FileSystemBlobStore(root); // sweeps when opened
        try (Stream<Path> s = Files.list(tmp)) {
            assertThat(s.toList()).as("partial uploads after the sweep").hasSize(1).doesNotContain(abandoned);
        }
        assertThat(restarted.sweepAbandoned()).isZero();
        inProgress.close();
        assertThat(regularFiles()).hasSize(1);
    }

    @Test
    void anUploadCutOffByTheFolderGoingAwayLeavesNothingOnceItIsBack(@TempDir Path elsewhere) throws IOException {
        Path cloud = root.resolve("cloud");
        FileSystemBlobStore store = new FileSystemBlobStore(cloud);
        BlobStore.Upload up = store.create(BlobNames.random(), "hospital-b");
        up.write(bytes(1000, 4));
        Path away = elsewhere.resolve("away");
        Files.move(cloud, away); // the share unmounted, the folder moved: mid-upload
        assertThatThrownBy(up::close).isInstanceOf(IOException.class);
        assertThat(cloud).as("the root is not created anew by a finishing upload").doesNotExist();
        assertThatThrownBy(() -> store.create(BlobNames.random(), "hospital-b")).isInstanceOf(IOException.class);
        Files.move(away, cloud); // back
        String next = BlobNames.random();
        try (BlobStore.Upload ok = store.create(next, "hospital-b")) {
            ok.write(bytes(10, 5));
        }
        try (Stream<Path> s = Files.walk(cloud)) {
            assertThat(s.filter(Files::isRegularFile).toList()).as("the cut-off upload's part is gone, the new blob is there")
                    .containsExactly(cloud.resolve(next.substring(0, 2)).resolve(next));
        }
    }
}
