package org.dicomrelay.it;

import org.dicomrelay.testkit.StoredFiles;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.awaitility.Awaitility.await;

/**
 * One row of the fault table: what the modality was told was stored (acknowledged), what reached
 * the PACS (delivered: distinct instances), acknowledged but absent (lost: must be 0),
 * duplicates (extra copies at the PACS), copies whose data set differs from the source's bytes,
 * and the time from the end of the fault (or of the sending, if later) until every acknowledged
 * instance was at the PACS. Rows are printed and appended to {@code it/target/fault-table.txt}.
 */
record FaultOutcome(String scenario, int acknowledged, int delivered, Set<String> lost, int duplicates, int notIdentical,
                    Duration drain, String note) {
    private static final String HEADER = String.format("%-34s %6s %9s %5s %10s %14s %9s  %s",
            "scenario", "acked", "delivered", "lost", "duplicates", "byte-identical", "drain s", "note");

    /** The study's files by SOP Instance UID, to compare what the PACS stored with what the modality sent. */
    record Study(String studyUid, Map<String, Path> files) {}

    /**
     * Waits until every acknowledged instance is at the PACS or {@code timeout} passes, then
     * measures. {@code drainFrom} (System.nanoTime()) is when the fault ended.
     */
    static FaultOutcome measure(String scenario, FaultModality modality, FaultPacs pacs, Study study, long drainFrom, Duration timeout,
                                String note) throws IOException {
        Set<String> acked = Set.copyOf(modality.acknowledged.keySet());
        long from = Math.max(drainFrom, modality.lastAcknowledgedAt());
        Duration drain = null;
        try {
            if (!timeout.isZero()) {
                await("every acknowledged instance at the PACS").atMost(timeout).pollInterval(Duration.ofMillis(250))
                        .until(() -> pacs.instances().keySet().containsAll(acked));
            }
            if (pacs.instances().keySet().containsAll(acked)) drain = Duration.ofNanos(Math.max(0, System.nanoTime() - from));
        } catch (org.awaitility.core.ConditionTimeoutException stranded) {
            // measured and reported below: the row shows what was lost
        }
        Map<String, List<Path>> atPacs = pacs.instances();
        Set<String> lost = new TreeSet<>(acked);
        lost.removeAll(atPacs.keySet());
        int duplicates = atPacs.values().stream().mapToInt(l -> l.size() - 1).sum();
        int notIdentical = notIdentical(atPacs, study);
        return new FaultOutcome(scenario, acked.size(), atPacs.size(), lost, duplicates, notIdentical, drain, note);
    }

    /**
     * Copies whose data set bytes differ from the source file's. A copy storescp is still writing
     * is given a few seconds to be complete.
     */
    private static int notIdentical(Map<String, List<Path>> atPacs, Study study) {
        int[] count = new int[1];
        try {
            await("copies at the PACS identical to the source").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                    .until(() -> (count[0] = differing(atPacs, study)) == 0);
        } catch (org.awaitility.core.ConditionTimeoutException differ) {
            // reported in the row
        }
        return count[0];
    }

    private static int differing(Map<String, List<Path>> atPacs, Study study) throws IOException {
        int n = 0;
        for (var e : atPacs.entrySet()) {
            Path source = study.files().get(e.getKey());
            if (source == null) {
                n += e.getValue().size(); // not of this study at all
                continue;
            }
            byte[] expected = StoredFiles.dataSet(source);
            for (Path copy : e.getValue()) if (!Arrays.equals(expected, StoredFiles.dataSet(copy))) n++;
        }
        return n;
    }

    String row() {
        return String.format("%-34s %6d %9d %5d %10d %14s %9s  %s", scenario, acknowledged, delivered, lost.size(), duplicates,
                notIdentical == 0 ? "yes" : notIdentical + " differ", drain == null ? "not drained" : String.format("%.1f", drain.toMillis() / 1000.0),
                note);
    }

    private static Path table() {
        return Path.of(System.getProperty("project.root", "..")).resolve("it/target/fault-table.txt").toAbsolutePath().normalize();
    }

    /** A run's table starts empty. */
    static void resetTable() throws IOException {
        Files.deleteIfExists(table());
    }

    /** Prints the row and appends it to it/target/fault-table.txt (with a header when the file is new). */
    FaultOutcome report() throws IOException {
        Path table = table();
        Files.createDirectories(table.getParent());
        String text = (Files.exists(table) ? "" : HEADER + "\n") + row() + "\n";
        Files.writeString(table, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        System.out.println(HEADER + "\n" + row());
        return this;
    }

    /** The first few lost instances, for a failure message. */
    String lostSample() {
        return lost.stream().limit(5).toList() + (lost.size() > 5 ? " and " + (lost.size() - 5) + " more" : "");
    }
}
