package org.dicomrelay.router;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import org.dicomrelay.dicom.io.OwnerOnly;
import org.dicomrelay.dicom.net.FailureText;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * The durable store-and-forward queue of a router: each received object is written (data set
 * bytes exactly as received) and forced to disk before the modality is told it was stored, with
 * a small JSON record ({@link SpoolEntry}) of where it goes. Entries survive restarts and leave
 * only when delivered or when an operator discards them; a discard is recorded in
 * {@code discarded.log}. The folder is 0700 and every file in it 0600, whatever the umask.
 *
 * <p>A running router holds {@code router.lock}: then only the router writes records, and
 * operators' changes reach it as request files in {@code requests/} ({@link SpoolControl}).
 */
public final class Spool implements Closeable {
    private static final System.Logger LOG = System.getLogger(Spool.class.getName());
    static final ObjectMapper JSON = new ObjectMapper().registerModule(new SimpleModule()
            .addSerializer(Instant.class, ToStringSerializer.instance)
            .addDeserializer(Instant.class, new StdScalarDeserializer<>(Instant.class) {
                @Override public Instant deserialize(JsonParser p, DeserializationContext ctx) throws IOException {
                    return Instant.parse(p.getValueAsString());
                }
            }));
    static final String LOCK = "router.lock", DISCARDED_LOG = "discarded.log", REQUESTS = "requests";
    private static final Duration LOCK_WAIT = Duration.ofSeconds(10);

    /**
     * Spools locked by a router in this JVM. Consulted before opening the lock file at all: closing
     * any channel on a file may drop every lock this process holds on it (FileLock, POSIX locks).
     */
    private static final Set<Path> LOCKED_HERE = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private final Path dir;
    private FileChannel lockChannel;
    private final EarlyForce earlyForce;
    /** One write per this many bytes of an incoming object (what a head start reads at a time, too). */
    private static final int WRITE_BYTES = 256 * 1024;

    /** The spool of a router's state folder, for inspection: safe while the router runs. */
    public static Spool of(Path stateDir) throws IOException {
        return new Spool(stateDir.resolve("spool"));
    }

    Spool(Path dir) throws IOException {
        this(dir, new EarlyForce());
    }

    Spool(Path dir, EarlyForce earlyForce) throws IOException {
        this.dir = OwnerOnly.folder(dir);
        this.earlyForce = earlyForce;
    }

    /**
     * The router's own spool at start-up: it takes the lock (another router on the same folder is
     * an error), and partial writes from a crash, never acknowledged to anyone, go: data not yet
     * renamed ({@code .part}), records not yet renamed ({@code .json.tmp}), and a record whose data
     * never arrived or data whose record was already removed.
     */
    static Spool recover(Path dir) throws IOException {
        Spool spool = new Spool(dir);
        spool.lock();
        try {
            spool.removeLeftovers();
        } catch (IOException | RuntimeException e) {
            spool.close();
            throw e;
        }
        return spool;
    }

    private void removeLeftovers() throws IOException {
        OwnerOnly.folder(dir.resolve(REQUESTS));
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) {
                String name = p.getFileName().toString();
                boolean leftover = name.endsWith(".part") || name.endsWith(".tmp")
                        || name.endsWith(".json") && !Files.exists(dir.resolve(stem(name) + ".dcm"))
                        || name.endsWith(".dcm") && !Files.exists(dir.resolve(stem(name) + ".json"));
                if (leftover) {
                    Files.deleteIfExists(p);
                    LOG.log(System.Logger.Level.INFO, "removed " + p + ", left by an interrupted spool write or removal");
                } else if (Files.isRegularFile(p)) {
                    OwnerOnly.file(p); // written by an older version under a looser umask
                }
            }
        }
        // Requests still waiting stay; answers nobody collected go, and so do requests a stopped router had taken (applied or not: listing shows which).
        try (Stream<Path> s = Files.list(dir.resolve(REQUESTS))) {
            for (Path p : s.toList()) {
                String name = p.getFileName().toString();
                if (name.endsWith(".tmp") || name.endsWith(SpoolControl.ANSWER)) {
                    Files.deleteIfExists(p);
                } else if (name.endsWith(SpoolControl.TAKEN)) {
                    Files.deleteIfExists(p);
                    LOG.log(System.Logger.Level.WARNING, "removed spool request " + p + ": the router stopped while applying it; list the spool to see what it changed");
                }
            }
        }
    }

    private static String stem(String name) {
        return name.substring(0, name.lastIndexOf('.'));
    }

    /** Holds {@code router.lock} while the router runs (released by the OS if the process dies). */
    private void lock() throws IOException {
        Path f = dir.resolve(LOCK);
        if (!LOCKED_HERE.add(key())) throw new IOException("the spool " + dir + " is in use by another router in this process");
        try {
            lockFile(f);
        } catch (IOException | RuntimeException e) {
            LOCKED_HERE.remove(key());
            throw e;
        }
    }

    private Path key() {
        return dir.toAbsolutePath().normalize();
    }

    private void lockFile(Path f) throws IOException {
        FileChannel ch = FileChannel.open(f, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE), OwnerOnly.fileAttributes(f));
        long deadline = System.nanoTime() + LOCK_WAIT.toNanos();
        try {
            while (ch.tryLock() == null) { // held until the channel closes
                if (System.nanoTime() > deadline) throw new IOException("the spool " + dir + " is in use by another router (it holds " + f + ")");
                Thread.sleep(100); // an operator command holds the lock for a moment; not a test synchronisation
            }
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ch.close();
            throw new IOException("interrupted while waiting for " + f, e);
        }
        lockChannel = ch;
    }

    /**
     * Runs {@code action} holding the router's lock if no router holds it; false (not run) if a
     * router runs on this spool.
     */
    boolean whileNoRouter(IoAction action) throws IOException {
        if (LOCKED_HERE.contains(key())) return false;
        Path f = dir.resolve(LOCK);
        try (FileChannel ch = FileChannel.open(f, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE), OwnerOnly.fileAttributes(f))) {
            FileLock l;
            try {
                l = ch.tryLock();
            } catch (OverlappingFileLockException sameProcess) {
                return false;
            }
            if (l == null) return false;
            try {
                action.run();
                return true;
            } finally {
                l.release();
            }
        }
    }

    @FunctionalInterface
    interface IoAction {
        void run() throws IOException;
    }

    Path dir() { return dir; }

    Path requests() { return dir.resolve(REQUESTS); }

    /**
     * Writes the data set durably; the returned entry is queued ("pending"). On any failure (a full
     * disk, the association broken mid-object) nothing is left behind and the exception is thrown.
     */
    SpoolEntry add(InputStream data, String calledAe, String callingAe, String cuid, String iuid, String tsuid) throws IOException {
        return add(data, calledAe, callingAe, cuid, iuid, tsuid, SpoolEntry.State.PENDING);
    }

    /** As {@link #add(InputStream, String, String, String, String, String)}, the record in {@code state} from the start. */
    SpoolEntry add(InputStream data, String calledAe, String callingAe, String cuid, String iuid, String tsuid, SpoolEntry.State state)
            throws IOException {
        return add(data, calledAe, callingAe, cuid, iuid, tsuid, state, null);
    }

    /** As above; {@code tail} (or null) learns what is in the file as it is written, so that it can be read meanwhile. */
    SpoolEntry add(InputStream data, String calledAe, String callingAe, String cuid, String iuid, String tsuid, SpoolEntry.State state,
                   SpoolTail tail) throws IOException {
        String id = UUID.randomUUID().toString();
        Path part = dir.resolve(id + ".part");
        try {
            long n = 0;
            try (FileChannel ch = FileChannel.open(part, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), OwnerOnly.fileAttributes(part))) {
                if (tail != null) tail.writing(part, data(id));
                EarlyForce.Writing forces = earlyForce.of(part);
                byte[] buf = new byte[WRITE_BYTES];
                int k;
                while ((k = data.readNBytes(buf, 0, buf.length)) > 0) {
                    ByteBuffer bb = ByteBuffer.wrap(buf, 0, k);
                    while (bb.hasRemaining()) ch.write(bb);
                    n += k;
                    if (tail != null) tail.grew(n);
                    forces.written(n);
                }
                if (tail != null) tail.written(n); // a head start may finish its upload while this forces
                ch.force(true);
            }
            SpoolEntry e = SpoolEntry.received(id, calledAe, callingAe, cuid, iuid, StudyUidReader.read(part, tsuid), tsuid, n, Instant.now(), state);
            write(e);
            try {
                Files.move(part, data(id), StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException | RuntimeException ex) {
                Files.deleteIfExists(record(id));
                throw ex;
            }
            syncDirectory();
            return e;
        } catch (IOException | RuntimeException ex) {
            if (tail != null) tail.failed(ex instanceof IOException io ? io : new IOException(FailureText.of(ex), ex));
            Files.deleteIfExists(part);
            throw ex;
        } finally {
            if (tail != null) tail.release();
        }
    }

    /** The renames must be on disk too before the modality hears "stored" (POSIX: fsync the directory). */
    private void syncDirectory() {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException notSupported) {
            // some platforms cannot open a directory; the file itself was forced
        }
    }

    Path data(String id) {
        return dir.resolve(id + ".dcm");
    }

    private Path record(String id) {
        return dir.resolve(id + ".json");
    }

    /** Replaces an entry's record atomically; a failed write leaves the previous record and no temporary file. */
    public void write(SpoolEntry e) throws IOException {
        writeAtomically(record(e.id()), JSON.writeValueAsBytes(e));
    }

    /** Writes {@code bytes} to {@code target} through a forced temporary file and an atomic rename; 0600. */
    static void writeAtomically(Path target, byte[] bytes) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, Set.of(StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE), OwnerOnly.fileAttributes(tmp))) {
                ByteBuffer b = ByteBuffer.wrap(bytes);
                while (b.hasRemaining()) ch.write(b);
                ch.force(true);
            }
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
    }

    /** A delivered entry goes: data first, so that a crash in between leaves a record without data, removed at start. */
    void remove(String id) throws IOException {
        Files.deleteIfExists(data(id));
        Files.deleteIfExists(record(id));
    }

    /** An operator's explicit discard: a line in {@code discarded.log} (forced to disk) first, then the entry goes. */
    void discard(SpoolEntry e, String by) throws IOException {
        String line = String.format("%s discarded id=%s sopInstanceUid=%s studyInstanceUid=%s destination=%s callingAe=%s state=%s attempts=%d"
                        + " lastStatus=%s by=%s%n", Instant.now(), e.id(), e.sopInstanceUid(), e.studyInstanceUid(), e.calledAe(), e.callingAe(),
                e.state(), e.attempts(), e.lastStatus() == null ? "-" : String.format("%04XH", e.lastStatus()), by);
        Path log = dir.resolve(DISCARDED_LOG);
        try (FileChannel ch = FileChannel.open(log, Set.of(StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE),
                OwnerOnly.fileAttributes(log))) {
            ch.write(ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8)));
            ch.force(true);
        }
        remove(e.id());
    }

    /** Every entry with its data, oldest first. A damaged record is reported and skipped, never fatal. */
    public List<SpoolEntry> entries() throws IOException {
        List<SpoolEntry> out = new ArrayList<>();
        List<Path> records;
        try (Stream<Path> s = Files.list(dir)) {
            records = s.filter(p -> p.toString().endsWith(".json")).toList();
        }
        for (Path p : records) {
            SpoolEntry e;
            try {
                e = JSON.readValue(p.toFile(), SpoolEntry.class);
            } catch (NoSuchFileException | FileAlreadyExistsException gone) {
                continue; // delivered meanwhile
            } catch (IOException | RuntimeException unreadable) {
                LOG.log(System.Logger.Level.ERROR, "unreadable spool record " + p + " (left for an operator): " + FailureText.of(unreadable));
                continue;
            }
            Path data = data(e.id());
            if (!Files.exists(data)) continue;
            if (e.createdAt() == null) {
                try {
                    e = e.withCreatedAt(Files.getLastModifiedTime(data).toInstant());
                } catch (NoSuchFileException gone) {
                    continue;
                }
            }
            out.add(e);
        }
        out.sort(Comparator.comparing(SpoolEntry::createdAt).thenComparing(SpoolEntry::id));
        return out;
    }

    /** Releases the router's lock. */
    @Override public void close() throws IOException {
        earlyForce.close();
        if (lockChannel == null) return;
        try {
            lockChannel.close();
        } finally {
            lockChannel = null;
            LOCKED_HERE.remove(key());
        }
    }
}
