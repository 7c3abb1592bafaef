package org.dicomrelay.router;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * The durable store-and-forward queue of a router: each received object is written (data set
 * bytes exactly as received) and forced to disk before the modality is told it was stored, with
 * a small JSON record of where it goes. Entries survive restarts and leave only when delivered
 * or when an operator removes a failed one.
 */
public final class Spool {
    private static final ObjectMapper JSON = new ObjectMapper();

    public record Entry(@JsonProperty("id") String id, @JsonProperty("calledAe") String calledAe, @JsonProperty("callingAe") String callingAe,
                 @JsonProperty("sopClassUid") String sopClassUid, @JsonProperty("sopInstanceUid") String sopInstanceUid,
                 @JsonProperty("transferSyntaxUid") String transferSyntaxUid, @JsonProperty("bytes") long bytes,
                 @JsonProperty("attempts") int attempts, @JsonProperty("state") String state, @JsonProperty("lastError") String lastError) {

        Entry attempt(String state, String error) {
            return new Entry(id, calledAe, callingAe, sopClassUid, sopInstanceUid, transferSyntaxUid, bytes, attempts + 1, state, error);
        }
    }

    private final Path dir;

    /** The spool of a router's state folder, for inspection: safe while the router runs. */
    public static Spool of(java.nio.file.Path stateDir) throws IOException {
        return new Spool(stateDir.resolve("spool"));
    }

    Spool(Path dir) throws IOException {
        this.dir = Files.createDirectories(dir);
    }

    /** The router's own spool at start-up: partial writes from a crash were never acknowledged to anyone, so they go. */
    static Spool recover(Path dir) throws IOException {
        Spool spool = new Spool(dir);
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.filter(p -> p.toString().endsWith(".part") || p.toString().endsWith(".json.tmp")).toList()) {
                Files.deleteIfExists(p);
            }
        }
        return spool;
    }

    /** Writes the data set durably; the returned entry is queued ("pending"). */
    Entry add(InputStream data, String calledAe, String callingAe, String cuid, String iuid, String tsuid) throws IOException {
        String id = UUID.randomUUID().toString();
        Path part = dir.resolve(id + ".part");
        long n = 0;
        try (FileChannel ch = FileChannel.open(part, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
             OutputStream out = new java.io.BufferedOutputStream(Channels.newOutputStream(ch), 256 * 1024)) {
            byte[] buf = new byte[64 * 1024];
            int k;
            while ((k = data.read(buf)) > 0) {
                out.write(buf, 0, k);
                n += k;
            }
            out.flush();
            ch.force(true);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(part);
            throw e;
        }
        Entry e = new Entry(id, calledAe, callingAe, cuid, iuid, tsuid, n, 0, "pending", null);
        write(e);
        Files.move(part, data(id), StandardCopyOption.ATOMIC_MOVE);
        syncDirectory();
        return e;
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

    public void write(Entry e) throws IOException {
        Path tmp = dir.resolve(e.id() + ".json.tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(JSON.writeValueAsBytes(e)));
            ch.force(true);
        }
        Files.move(tmp, dir.resolve(e.id() + ".json"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    public void remove(String id) throws IOException {
        Files.deleteIfExists(data(id));
        Files.deleteIfExists(dir.resolve(id + ".json"));
    }

    public List<Entry> entries() throws IOException {
        List<Entry> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
                Entry e;
                try {
                    e = JSON.readValue(p.toFile(), Entry.class);
                } catch (IOException unreadable) {
                    // One damaged record must not stop the router: it is reported and left for an operator.
                    System.getLogger(Spool.class.getName()).log(System.Logger.Level.ERROR, "unreadable spool record " + p + ": " + unreadable.getMessage());
                    continue;
                }
                if (Files.exists(data(e.id()))) out.add(e);
            }
        }
        return out;
    }
}
