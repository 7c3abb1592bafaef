package org.dicomrelay.bench;

import org.dicomrelay.dicom.data.Attributes;
import org.dicomrelay.dicom.data.Tag;
import org.dicomrelay.dicom.data.TransferSyntax;
import org.dicomrelay.dicom.data.VR;
import org.dicomrelay.dicom.io.DicomOutputStream;
import org.dicomrelay.dicom.io.FileMetaInformation;
import org.dicomrelay.dicom.net.ApplicationEntity;
import org.dicomrelay.dicom.net.AssociationOptions;
import org.dicomrelay.dicom.net.DicomServer;
import org.dicomrelay.dicom.net.service.DimseServices;
import org.dicomrelay.dicom.net.service.FolderStorage;
import org.dicomrelay.dicom.net.service.StorageSource;
import org.dicomrelay.dicom.net.service.StoreScu;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * C-STORE throughput on loopback, ours against DCMTK's, on the same files in the same run. Every
 * SCP is already listening; ours has served one untimed transfer first (warm, as a PACS that has
 * been running is; storescp is a native binary with nothing to warm). Our SCU is measured twice:
 * as a user runs it, {@code ./dicom-relay store} in a fresh JVM (start-up included, with the
 * launcher's AppCDS archive and client JVM flags), and in steady state, in this JVM after one
 * untimed transfer.
 * Neither SCP forces its files to disk (storescp has no fsync; our FolderStorage writes a temporary
 * file and renames it, without fsync); storescp runs in its default mode (it decodes the data set
 * and writes it again), ours writes the bytes as received.
 *
 * Usage: StoreBench WORKDIR LAUNCHER SHIM_SO [images] [multiframes]   (LAUNCHER: the dicom-relay script)
 */
public final class StoreBench {
    public static void main(String[] args) throws Exception {
        Path work = Path.of(args[0]);
        Path launcher = Path.of(args[1]).toAbsolutePath();
        Path shim = Path.of(args[2]).toAbsolutePath();
        int images = args.length > 3 ? Integer.parseInt(args[3]) : 500;
        int multiframes = args.length > 4 ? Integer.parseInt(args[4]) : 3;

        Path ct = work.resolve("ct");
        Path mf = work.resolve("multiframe");
        long ctBytes = generate(ct, images, 1, 512, 512, "1.2.840.10008.5.1.4.1.1.2");
        long mfBytes = generate(mf, multiframes, 200, 512, 512, "1.2.840.10008.5.1.4.1.1.7.3");

        // Received files go to memory when possible, so that disk write-back does not decide the ranking.
        Path shm = Path.of("/dev/shm");
        Path out = Files.isDirectory(shm) && Files.isWritable(shm) ? Files.createDirectories(shm.resolve("dicom-relay-bench")) : work;
        time(cli(launcher, "--version")); // untimed: the launcher makes its AppCDS archive on first use after a build
        List<String[]> rows = new ArrayList<>();
        for (Object[] set : new Object[][] {{images + " CT 512x512x16", ct, ctBytes, images, GOAL}, {multiframes + " multi-frame 100 MB", mf, mfBytes, multiframes, 0.0}}) {
            String name = (String) set[0];
            Path dir = (Path) set[1];
            long bytes = (Long) set[2];
            int count = (Integer) set[3];
            double goal = (Double) set[4];
            String[] paths = {"storescu -> storescp", "ours CLI -> storescp", "ours warm -> storescp", "storescu -> our SCP", "ours CLI -> our SCP"};
            double[] medians = medians(
                    () -> storescuToStorescp(out, dir, shim),
                    () -> oursToStorescp(out, dir, shim, launcher),
                    () -> oursInProcessToStorescp(out, dir, shim),
                    () -> storescuToOurs(out, dir),
                    () -> oursToOurs(out, dir, launcher));
            double dcmtk = medians[0];
            for (int i = 0; i < paths.length; i++) {
                boolean goalRow = i == 1 || i == 2 || i == 3; // the two directions the goal names; ours -> ours is for reference
                rows.add(row(name, paths[i], medians[i], bytes, count, dcmtk, goalRow ? goal : 0));
            }
        }
        System.out.printf("%n%-22s %-24s %8s %8s %9s %9s %7s  %s%n", "data", "path", "seconds", "MB/s", "images/s", "vs DCMTK", "goal", "");
        for (String[] r : rows) System.out.printf("%-22s %-24s %8s %8s %9s %9s %7s  %s%n", (Object[]) r);
        System.out.println("""

                ours CLI: ./dicom-relay store, a fresh JVM per run (start-up included; AppCDS, C1 only, serial GC).
                ours warm: StoreScu in the bench JVM after one untimed transfer (steady state).
                our SCP: FolderStorage in the bench JVM, warmed by one untimed transfer; bit-preserving, temp file + rename.
                Neither SCP calls fsync (storescp has no such option). Goal (issue 10): toolkit store >= 1.0x DCMTK, small objects.
                """);
        clean(out);
    }

    /** Issue 10: the toolkit's store path at least as fast as DCMTK for small objects, both directions. */
    private static final double GOAL = 1.0;

    interface Run {
        double seconds() throws Exception;
    }

    /**
     * The median of three runs of each path, the paths taking turns in each round: single runs on
     * a shared 2-core machine vary by a factor of two, and load that comes and goes then falls on
     * every path alike rather than on whichever ran at that moment.
     */
    private static double[] medians(Run... paths) throws Exception {
        double[][] t = new double[paths.length][3];
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < paths.length; i++) t[i][round] = paths[i].seconds();
        }
        double[] m = new double[paths.length];
        for (int i = 0; i < paths.length; i++) {
            java.util.Arrays.sort(t[i]);
            m[i] = t[i][1];
        }
        return m;
    }

    private static String[] row(String data, String path, double seconds, long bytes, int count, double dcmtkSeconds, double goal) {
        double ratio = dcmtkSeconds / seconds;
        return new String[] {data, path, String.format("%.2f", seconds), String.format("%.1f", bytes / 1e6 / seconds),
                String.format("%.1f", count / seconds), String.format("%.2fx", ratio),
                goal > 0 ? String.format(">=%.1fx", goal) : "-", goal > 0 ? (ratio >= goal ? "met" : "MISSED") : ""};
    }

    static long generate(Path dir, int n, int frames, int rows, int cols, String sopClass) throws IOException {
        if (Files.isDirectory(dir)) {
            try (Stream<Path> s = Files.list(dir)) {
                if (s.count() == n) return size(dir);
            }
        }
        Files.createDirectories(dir);
        Random rnd = new Random(42);
        byte[] frame = new byte[rows * cols * 2];
        for (int i = 0; i < frame.length; i += 2) {
            int v = 1000 + (int) (200 * Math.sin(i / 5000.0)) + rnd.nextInt(16);
            frame[i] = (byte) v;
            frame[i + 1] = (byte) (v >> 8);
        }
        String study = "2.25." + (System.nanoTime() & Long.MAX_VALUE);
        for (int k = 0; k < n; k++) {
            Attributes ds = new Attributes();
            ds.setString(Tag.SOPClassUID, VR.UI, sopClass);
            ds.setString(Tag.SOPInstanceUID, VR.UI, study + "." + (k + 1));
            ds.setString(Tag.PatientName, VR.PN, "Bench^Synthetic");
            ds.setString(Tag.PatientID, VR.LO, "BENCH");
            ds.setString(Tag.StudyInstanceUID, VR.UI, study);
            ds.setString(Tag.SeriesInstanceUID, VR.UI, study + ".0");
            ds.setString(0x00080060, VR.CS, frames > 1 ? "OT" : "CT");
            ds.setInt(0x00280002, VR.US, 1);
            ds.setString(0x00280004, VR.CS, "MONOCHROME2");
            if (frames > 1) ds.setString(0x00280008, VR.IS, String.valueOf(frames));
            ds.setInt(0x00280010, VR.US, rows);
            ds.setInt(0x00280011, VR.US, cols);
            ds.setInt(0x00280100, VR.US, 16);
            ds.setInt(0x00280101, VR.US, 12);
            ds.setInt(0x00280102, VR.US, 11);
            ds.setInt(0x00280103, VR.US, 0);
            try (OutputStream os = Files.newOutputStream(dir.resolve(String.format("%05d.dcm", k)))) {
                DicomOutputStream d = new DicomOutputStream(os, TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN);
                d.writeFileMetaInformation(FileMetaInformation.of(ds, TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN.uid()));
                d.writeDataSet(ds);
                d.writeHeader(Tag.PixelData, VR.OW, (long) frame.length * frames);
                for (int f = 0; f < frames; f++) d.writeBytes(frame);
                d.finish();
            }
        }
        return size(dir);
    }

    private static long size(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.mapToLong(p -> p.toFile().length()).sum();
        }
    }

    private static double storescuToStorescp(Path work, Path dir, Path shim) throws Exception {
        int port = freePort();
        Path out = clean(work.resolve("out-storescp"));
        Process scp = server(List.of("storescp", "-aet", "STORESCP", "-od", out.toString(), String.valueOf(port)), shim, port);
        try {
            return time(List.of("storescu", "-aec", "STORESCP", "+sd", "127.0.0.1", String.valueOf(port), dir.toString()));
        } finally {
            scp.destroy();
            scp.waitFor(5, TimeUnit.SECONDS);
        }
    }

    private static double oursToStorescp(Path work, Path dir, Path shim, Path launcher) throws Exception {
        int port = freePort();
        Path out = clean(work.resolve("out-storescp"));
        Process scp = server(List.of("storescp", "-aet", "STORESCP", "-od", out.toString(), String.valueOf(port)), shim, port);
        try {
            return time(cli(launcher, "store", "-c", "STORESCP@127.0.0.1:" + port, dir.toString()));
        } finally {
            scp.destroy();
            scp.waitFor(5, TimeUnit.SECONDS);
        }
    }

    /** Our StoreScu in this JVM, after one untimed transfer: the steady state, without JVM start-up and warm-up. */
    private static double oursInProcessToStorescp(Path work, Path dir, Path shim) throws Exception {
        int port = freePort();
        Path out = clean(work.resolve("out-storescp"));
        Process scp = server(List.of("storescp", "-aet", "STORESCP", "-od", out.toString(), String.valueOf(port)), shim, port);
        try {
            storeInProcess(dir, port, "STORESCP");
            long t0 = System.nanoTime();
            storeInProcess(dir, port, "STORESCP");
            return (System.nanoTime() - t0) / 1e9;
        } finally {
            scp.destroy();
            scp.waitFor(5, TimeUnit.SECONDS);
        }
    }

    /** What the CLI's store does for one SOP class and syntax: probe every file, then one association. */
    private static void storeInProcess(Path dir, int port, String calledAe) throws IOException {
        List<StorageSource> sources = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.sorted().toList()) sources.add(StorageSource.probe(p, true));
        }
        Set<StoreScu.Need> needs = new LinkedHashSet<>();
        for (StorageSource src : sources) needs.add(new StoreScu.Need(src.sopClassUid(), src.transferSyntax().uid()));
        try (StoreScu scu = StoreScu.open("127.0.0.1", port, calledAe, "BENCH", needs, AssociationOptions.DEFAULT)) {
            for (StorageSource src : sources) {
                int status = scu.store(src).status();
                if (status != 0) throw new IOException(src.file() + ": status " + Integer.toHexString(status));
            }
        }
    }

    private static double storescuToOurs(Path work, Path dir) throws Exception {
        Path out = clean(work.resolve("out-ours"));
        ApplicationEntity ae = new ApplicationEntity("OURSCP").accept(ApplicationEntity.ANY, ApplicationEntity.ANY);
        try (DicomServer s = DicomServer.start(ae, "127.0.0.1", 0, 4, new DimseServices().onStore(new FolderStorage(out)))) {
            List<String> storescu = List.of("storescu", "-aec", "OURSCP", "+sd", "127.0.0.1", String.valueOf(s.port()), dir.toString());
            time(storescu); // warm-up, untimed
            return time(storescu);
        }
    }

    private static double oursToOurs(Path work, Path dir, Path launcher) throws Exception {
        Path out = clean(work.resolve("out-ours"));
        ApplicationEntity ae = new ApplicationEntity("OURSCP").accept(ApplicationEntity.ANY, ApplicationEntity.ANY);
        try (DicomServer s = DicomServer.start(ae, "127.0.0.1", 0, 4, new DimseServices().onStore(new FolderStorage(out)))) {
            List<String> store = cli(launcher, "store", "-c", "OURSCP@127.0.0.1:" + s.port(), dir.toString());
            time(store); // warm-up of our SCP, untimed
            return time(store);
        }
    }

    /** The CLI as a user runs it: the launcher, a fresh JVM with the launcher's options (AppCDS archive, client JVM flags). */
    private static List<String> cli(Path launcher, String... args) {
        List<String> cmd = new ArrayList<>(List.of(launcher.toString()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    static double time(List<String> cmd) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("TCP_NODELAY", "1");
        long t0 = System.nanoTime();
        Process p = pb.start();
        int rc = p.waitFor();
        double s = (System.nanoTime() - t0) / 1e9;
        if (rc != 0) throw new IllegalStateException(String.join(" ", cmd) + " exited with " + rc);
        return s;
    }

    private static Process server(List<String> cmd, Path shim, int port) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("TCP_NODELAY", "1");
        pb.environment().put("LD_PRELOAD", shim.toString());
        Process p = pb.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return p;
            } catch (IOException notYet) {
                p.waitFor(50, TimeUnit.MILLISECONDS);
            }
        }
        p.destroyForcibly();
        throw new IllegalStateException(cmd.get(0) + " did not start");
    }

    /** Empties a folder (creating it if needed) and returns it. */
    static Path clean(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            try (Stream<Path> s = Files.walk(dir)) {
                for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    if (!p.equals(dir)) Files.delete(p);
                }
            }
        }
        return Files.createDirectories(dir);
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            return s.getLocalPort();
        }
    }
}
