package org.dicomrelay.providers.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.dicomrelay.relay.cloud.BlobNames;
import org.dicomrelay.relay.cloud.BlobStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The {@link BlobStore} contract (Cloud IO), written once: a provider's test class extends this
 * and supplies the fixture. Every test deletes what it wrote and then asserts that the store holds
 * nothing, not even an unfinished upload.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
public abstract class BlobStoreContract {
    protected BlobStore store;
    protected BlobStore reader;

    /** The writer's store on the provider's service (emulator), empty. Called before each test; closed after it. */
    protected abstract BlobStore openStore() throws Exception;

    /**
     * The recipient's store, for stores that let only the recipient read a blob (the Bridge's);
     * null (the default): the writer's store reads too.
     */
    protected BlobStore openReader() throws Exception {
        return null;
    }

    /** The router blobs are written for. */
    protected String recipient() {
        return "router-b";
    }

    /**
     * The size of the parts the store uploads and downloads in, as configured by {@link #openStore};
     * sizes around it and its multiples are tested. 0 if the store does not work in parts.
     */
    protected abstract int partBytes();

    /** Names of everything the store's service still holds: blobs and unfinished uploads. */
    protected abstract Set<String> leftovers() throws Exception;

    /** A store whose service cannot be reached (a closed port on loopback). */
    protected abstract BlobStore openUnreachableStore() throws Exception;

    @BeforeEach
    void open() throws Exception {
        store = openStore();
        BlobStore r = openReader();
        reader = r == null ? store : r;
    }

    @AfterEach
    void close() throws Exception {
        if (reader != null && reader != store) reader.close();
        if (store != null) store.close();
    }

    private String put(long seed, long size, int chunk) throws IOException {
        return put(BlobNames.random(), seed, size, chunk).sha256();
    }

    private Written put(String name, long seed, long size, int chunk) throws IOException {
        BlobStore.Upload up = store.create(name, recipient());
        String sha;
        try {
            sha = Payloads.write(up, seed, size, chunk);
        } catch (IOException | RuntimeException e) {
            up.abort();
            throw e;
        }
        up.close();
        return new Written(name, sha);
    }

    private record Written(String name, String sha256) {}

    private Payloads.Read get(String name) throws IOException {
        try (InputStream in = reader.open(name)) {
            return Payloads.read(in);
        }
    }

    private void assertNothingLeft() throws Exception {
        assertThat(leftovers()).as("blobs and unfinished uploads left in the store").isEmpty();
    }

    @Test
    void streamsBlobsOfSizesAroundPartBoundaries() throws Exception {
        int p = partBytes();
        List<Long> sizes = new ArrayList<>(List.of(0L, 1L, 65_535L, 65_537L));
        if (p > 0) sizes.addAll(List.of(p - 1L, (long) p, p + 1L, 2L * p, 3L * p + 17));
        for (long size : sizes) {
            String name = BlobNames.random();
            Written w = put(name, size, size, 8_191);
            Payloads.Read r = get(name);
            assertThat(r.length()).as("length of a blob of %d bytes", size).isEqualTo(size);
            assertThat(r.sha256()).as("content of a blob of %d bytes", size).isEqualTo(w.sha256());
            store.delete(name);
        }
        assertNothingLeft();
    }

    /** One large write hands the store several parts at once: it may upload them in parallel, but the blob is in order. */
    @Test
    void uploadsPartsInParallelAndReadsThemInOrder() throws Exception {
        int p = Math.max(partBytes(), 1 << 20);
        long size = 4L * p + 12_345;
        String name = BlobNames.random();
        Written w = put(name, 42, size, 2 * p + 3);
        assertThat(get(name)).isEqualTo(new Payloads.Read(size, w.sha256()));
        store.delete(name);
        assertNothingLeft();
    }

    @Test
    void concurrentWritersEachGetTheirOwnBlob() throws Exception {
        int writers = 6;
        long size = Math.max(partBytes(), 1 << 16) + 4_321L;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            List<Future<Written>> futures = new ArrayList<>();
            for (int i = 0; i < writers; i++) {
                long seed = i;
                futures.add(pool.submit(() -> put(BlobNames.random(), seed, size, 30_000)));
            }
            for (Future<Written> f : futures) {
                Written w = f.get(2, TimeUnit.MINUTES);
                assertThat(get(w.name())).isEqualTo(new Payloads.Read(size, w.sha256()));
                store.delete(w.name());
            }
        } finally {
            pool.shutdownNow();
        }
        assertNothingLeft();
    }

    @Test
    void missingBlobIsAClearNotFound() {
        assertThatThrownBy(() -> reader.open(BlobNames.random()))
                .satisfies(e -> assertThat(e).isInstanceOfAny(FileNotFoundException.class, NoSuchFileException.class))
                .satisfies(e -> assertThat(e.getMessage()).isNotBlank().doesNotContain("null"));
    }

    @Test
    void deleteRemovesABlobAndAnAbsentOneIsNoError() throws Exception {
        String name = BlobNames.random();
        put(name, 7, 1_000, 100);
        store.delete(name);
        assertThatThrownBy(() -> reader.open(name)).isInstanceOfAny(FileNotFoundException.class, NoSuchFileException.class);
        store.delete(name);
        store.delete(BlobNames.random());
        assertNothingLeft();
    }

    /** Abort after several parts went out: no blob appears and no unfinished upload stays behind. */
    @Test
    void abortLeavesNothing() throws Exception {
        String name = BlobNames.random();
        BlobStore.Upload up = store.create(name, recipient());
        Payloads.write(up, 3, Math.max(partBytes(), 1 << 16) * 2L + 5, 50_000);
        up.abort();
        assertThatThrownBy(() -> reader.open(name)).isInstanceOfAny(FileNotFoundException.class, NoSuchFileException.class);
        assertNothingLeft();
    }

    @Test
    void unfinishedBlobIsNotVisibleUnlessTheStoreIsReadableWhileWriting() throws Exception {
        assumeTrue(!store.readableWhileWriting(), "this store shows blobs while they are written");
        String name = BlobNames.random();
        BlobStore.Upload up = store.create(name, recipient());
        try {
            Payloads.write(up, 5, 10_000, 1_000);
            up.flush();
            assertThatThrownBy(() -> reader.open(name)).isInstanceOfAny(FileNotFoundException.class, NoSuchFileException.class);
        } finally {
            up.close();
        }
        assertThat(get(name).length()).isEqualTo(10_000);
        store.delete(name);
        assertNothingLeft();
    }

    @Test
    void deleteAlsoRemovesAnUploadItsWriterNeverFinished() throws Exception {
        String name = BlobNames.random();
        BlobStore.Upload up = store.create(name, recipient());
        Payloads.write(up, 9, Math.max(partBytes(), 1 << 16) + 1L, 40_000); // a writer killed here never closes
        up.flush();
        store.delete(name); // what the sender's journal does at its next start
        up.abort();
        assertNothingLeft();
    }

    @Test
    void invalidNamesAreRefused() {
        assertThatThrownBy(() -> store.create("../etc/passwd", recipient())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> reader.open("short")).isInstanceOf(IllegalArgumentException.class);
    }

    /** Orphans (a sender that crashed, a recipient that never read) go after their time, young blobs stay. */
    @Test
    void sweepDeletesExpiredBlobsAndUnfinishedUploadsOnly() throws Exception {
        assumeTrue(store.sweepsExpired(), "this store's service expires blobs itself");
        String orphan = put(BlobNames.random(), 1, 2_000, 500).name();
        BlobStore.Upload unfinished = store.create(BlobNames.random(), recipient());
        Payloads.write(unfinished, 2, Math.max(partBytes(), 1 << 16) + 1L, 40_000);
        unfinished.flush();
        assertThat(store.sweepExpired(Duration.ofHours(1))).as("nothing is an hour old").isZero();
        assertThat(get(orphan).length()).isEqualTo(2_000);
        assertThat(store.sweepExpired(Duration.ZERO)).as("everything is older than now").isGreaterThanOrEqualTo(1);
        assertThatThrownBy(() -> reader.open(orphan)).isInstanceOfAny(FileNotFoundException.class, NoSuchFileException.class);
        unfinished.abort();
        assertNothingLeft();
    }

    @Test
    void anUnreachableServiceFailsWithAClearIOException() throws Exception {
        assertThatThrownBy(() -> {
            try (BlobStore s = openUnreachableStore(); InputStream in = s.open(BlobNames.random())) {
                in.read();
            }
        }).isInstanceOf(IOException.class).satisfies(e -> assertThat(e.getMessage()).isNotBlank().doesNotContain("null"));
        assertThatThrownBy(() -> {
            try (BlobStore s = openUnreachableStore(); BlobStore.Upload up = s.create(BlobNames.random(), recipient())) {
                Payloads.write(up, 1, Math.max(partBytes(), 1 << 16) + 1L, 100_000);
            }
        }).isInstanceOf(IOException.class).satisfies(e -> assertThat(e.getMessage()).isNotBlank().doesNotContain("null"));
    }
}
