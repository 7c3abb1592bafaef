package org.dicomrelay.router.link;

import org.dicomrelay.dicom.io.OwnerOnly;
import org.dicomrelay.dicom.net.FailureText;
import org.dicomrelay.relay.cloud.BlobNames;

import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;

/**
 * The payloads this router uploaded for other routers, so that none stays in the cloud for good
 * when its frame is lost: the sender killed between upload and publish, the recipient killed
 * after taking the notification, a frame nobody waits for any more. The recipient deletes every
 * blob it consumes; this journal is the sender's record of the rest.
 *
 * <p>Uploads are appended to segment files in the journal folder ({@code + blob recipient op});
 * the answer to a request forgets its uploads ({@code - recipient/op}). {@link #sweep} deletes
 * the blobs of segments that are older than the maximum age and not answered, and the blobs of
 * every segment an earlier run of the router left: no operation of that run can still be
 * waited for (the spool sends again, with a new operation), so its unconsumed payloads only
 * risk a second delivery. Payloads of retrieved instances get no answer; they are deleted by
 * age (deleting a blob already consumed is a no-op). Lines are flushed to the operating system
 * as written: they survive the process being killed, not a power loss (an orphan blob then).
 */
public final class UploadJournal implements Closeable {
    private static final System.Logger LOG = System.getLogger(UploadJournal.class.getName());
    /** The operation of an upload that no answer will confirm (an instance of a retrieve). */
    static final String NO_ANSWER = "*";
    private static final Pattern OPERATION = Pattern.compile("[A-Za-z0-9-]{1,64}");
    private static final String SUFFIX = ".log";
    /** Requests awaiting their answer, remembered for {@link #abandoned}; bounded in case an operation neither ends nor is abandoned. */
    private static final int MAX_OUTSTANDING = 10_000;

    /** Deletes one blob; absent blobs are not an error (as {@link org.dicomrelay.relay.cloud.BlobStore#delete}). */
    @FunctionalInterface
    public interface Deleter {
        void delete(String blob) throws IOException;
    }

    private final Path dir;
    private final long maxAgeMillis;
    private final long segmentMillis;
    private final LongSupplier clock;
    private final TreeSet<String> previousRun = new TreeSet<>();
    private final Map<String, String> outstanding = new LinkedHashMap<>(16, 0.75f, false) {
        @Override protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
            return size() > MAX_OUTSTANDING;
        }
    };
    private Path segment;
    private long segmentStart;
    private OutputStream out;

    public static UploadJournal open(Path dir, Duration maxAge) throws IOException {
        return new UploadJournal(dir, maxAge, System::currentTimeMillis);
    }

    UploadJournal(Path dir, Duration maxAge, LongSupplier clockMillis) throws IOException {
        this.dir = OwnerOnly.folder(dir);
        this.maxAgeMillis = maxAge.toMillis();
        // An entry is deleted between maxAge and maxAge + one segment after its upload.
        this.segmentMillis = Math.max(1000, Math.min(maxAgeMillis / 4, Duration.ofMinutes(5).toMillis()));
        this.clock = clockMillis;
        previousRun.addAll(segments());
    }

    /** How often {@link #sweep} has something to do. */
    public Duration sweepPeriod() {
        return Duration.ofMillis(segmentMillis);
    }

    /**
     * Records an upload before it starts. {@code operationId} is the request it belongs to, or
     * null when no answer will confirm it.
     */
    public synchronized void uploaded(String blob, String recipient, String operationId) throws IOException {
        String key = operationId == null ? NO_ANSWER : key(recipient, operationId);
        if (operationId != null) outstanding.put(key, blob); // first: abandoning works even if the disk is full
        write("+ " + blob + " " + recipient + " " + key + "\n");
    }

    /** The answer to {@code operationId} came from {@code from}: its payload was consumed (the recipient deleted it). */
    public synchronized void answered(String from, String operationId) {
        if (!OPERATION.matcher(operationId).matches() || !OPERATION.matcher(from).matches()) return;
        String key = key(from, operationId);
        if (outstanding.remove(key) == null) return; // not one of ours, or already forgotten
        try {
            write("- " + key + "\n");
        } catch (IOException e) {
            // The blob is gone already; the sweep will only delete it once more.
            LOG.log(System.Logger.Level.DEBUG, "could not note an answer in the upload journal: " + FailureText.of(e));
        }
    }

    /**
     * The sender stopped waiting for {@code operationId}: returns its payload's blob name (to be
     * deleted now, so that a late delivery cannot store it a second time), or null.
     */
    public synchronized String abandoned(String recipient, String operationId) {
        return outstanding.remove(key(recipient, operationId));
    }

    /** Deletes the blobs of expired and earlier runs' segments that no answer forgot; returns how many deletions it made. */
    public int sweep(Deleter deleter) throws IOException {
        List<String> due;
        synchronized (this) {
            long now = clock.getAsLong();
            if (segment != null && now - segmentStart >= segmentMillis) rotate();
            due = new ArrayList<>(previousRun);
            for (String name : segments()) {
                if (previousRun.contains(name) || (segment != null && name.equals(segment.getFileName().toString()))) continue;
                if (startOf(name) + segmentMillis + maxAgeMillis <= now) due.add(name);
            }
            due.sort(null);
        }
        int deleted = 0;
        for (String name : due) {
            Map<String, List<String>> blobs = uploads(name);
            for (String later : segments()) {
                if (later.compareTo(name) >= 0) forget(later, blobs);
            }
            for (List<String> list : blobs.values()) {
                for (String blob : list) {
                    deleter.delete(blob); // a failure stops here: the segment stays for the next sweep
                    deleted++;
                }
            }
            Files.deleteIfExists(dir.resolve(name));
            synchronized (this) {
                previousRun.remove(name);
            }
        }
        if (deleted > 0) LOG.log(System.Logger.Level.INFO, "deleted " + deleted + " unanswered upload(s) from the cloud");
        return deleted;
    }

    private static String key(String recipient, String operationId) {
        return recipient + "/" + operationId;
    }

    private void write(String line) throws IOException {
        long now = clock.getAsLong();
        if (segment == null || now - segmentStart >= segmentMillis) {
            rotate();
            segmentStart = now;
            // Names sort by time: the sweep reads later segments for the answers to earlier uploads.
            segment = dir.resolve(String.format("%015d", now) + "-" + Long.toHexString(System.nanoTime() & 0xFFFFFF) + SUFFIX);
            out = OwnerOnly.newOutputStream(segment, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        }
        out.write(line.getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    private void rotate() throws IOException {
        if (out != null) out.close();
        out = null;
        segment = null;
    }

    private List<String> segments() throws IOException {
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
            for (Path p : s) names.add(p.getFileName().toString());
        }
        names.sort(null);
        return names;
    }

    private static long startOf(String name) {
        try {
            return Long.parseLong(name.substring(0, name.indexOf('-')));
        } catch (RuntimeException e) {
            return 0; // not one of ours: swept at once
        }
    }

    /** The uploads a segment records, by operation key. */
    private Map<String, List<String>> uploads(String name) throws IOException {
        Map<String, List<String>> blobs = new HashMap<>();
        for (String[] f : lines(name)) {
            if (f.length == 4 && f[0].equals("+") && BlobNames.isValid(f[1])) blobs.computeIfAbsent(f[3], k -> new ArrayList<>()).add(f[1]);
        }
        return blobs;
    }

    private void forget(String name, Map<String, List<String>> blobs) throws IOException {
        for (String[] f : lines(name)) {
            if (f.length == 2 && f[0].equals("-")) blobs.remove(f[1]);
        }
    }

    private List<String[]> lines(String name) throws IOException {
        List<String[]> out = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(dir.resolve(name), StandardCharsets.US_ASCII)) {
            String line;
            // A line cut short by a kill has fewer fields, or a shorter blob name (then its delete is a harmless no-op or refused).
            while ((line = r.readLine()) != null) out.add(line.split(" "));
        } catch (NoSuchFileException gone) {
            // swept meanwhile
        }
        return out;
    }

    @Override public synchronized void close() throws IOException {
        rotate();
    }
}
