package org.dicomrelay.bench;

import org.dicomrelay.dicom.data.Attributes;
import org.dicomrelay.dicom.data.Tag;
import org.dicomrelay.dicom.data.TransferSyntax;
import org.dicomrelay.dicom.data.VR;
import org.dicomrelay.dicom.io.DicomOutputStream;
import org.dicomrelay.dicom.io.FileMetaInformation;
import org.dicomrelay.dicom.net.ApplicationEntity;
import org.dicomrelay.dicom.net.DicomServer;
import org.dicomrelay.dicom.net.service.DimseServices;
import org.dicomrelay.dicom.net.service.FolderStorage;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * C-STORE throughput on loopback, ours against DCMTK's, on the same files in the same run:
 * storescu→storescp, our store→storescp, storescu→our SCP, ours→ours. Every SCU is a fresh
 * process (JVM start included for ours, as a user runs it); every SCP is already listening.
 *
 * Usage: StoreBench WORKDIR CLI_JAR SHIM_SO [images] [multiframes]
 */
public final class StoreBench {
    public static void main(String[] args) throws Exception {
        Path work = Path.of(args[0]);
        Path cliJar = Path.of(args[1]).toAbsolutePath();
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
        List<String[]> rows = new ArrayList<>();
        for (Object[] set : new Object[][] {{images + " CT 512x512x16", ct, ctBytes, images}, {multiframes + " multi-frame 100 MB", mf, mfBytes, multiframes}}) {
            String name = (String) set[0];
            Path dir = (Path) set[1];
            long bytes = (Long) set[2];
            int count = (Integer) set[3];
            double dcmtk = median(() -> storescuToStorescp(out, dir, shim));
            double oursToDcmtk = median(() -> oursToStorescp(out, dir, shim, cliJar));
            double dcmtkToOurs = median(() -> storescuToOurs(out, dir));
            double oursToOurs = median(() -> oursToOurs(out, dir, cliJar));
            rows.add(row(name, "storescu -> storescp", dcmtk, bytes, count, dcmtk));
            rows.add(row(name, "ours store -> storescp", oursToDcmtk, bytes, count, dcmtk));
            rows.add(row(name, "storescu -> our SCP", dcmtkToOurs, bytes, count, dcmtk));
            rows.add(row(name, "ours -> ours", oursToOurs, bytes, count, dcmtk));
        }
        System.out.printf("%n%-22s %-24s %9s %9s %9s %14s%n", "data", "path", "seconds", "MB/s", "images/s", "vs DCMTK");
        for (String[] r : rows) System.out.printf("%-22s %-24s %9s %9s %9s %14s%n", (Object[]) r);
        clean(out);
    }

    interface Run {
        double seconds() throws Exception;
    }

    /** The median of three runs: single runs on a 2-core machine vary by a factor of two. */
    private static double median(Run r) throws Exception {
        double[] t = {r.seconds(), r.seconds(), r.seconds()};
        java.util.Arrays.sort(t);
        return t[1];
    }

    private static String[] row(String data, String path, double seconds, long bytes, int count, double dcmtkSeconds) {
        return new String[] {data, path, String.format("%.2f", seconds), String.format("%.1f", bytes / 1e6 / seconds),
                String.format("%.1f", count / seconds), String.format("%.2fx", dcmtkSeconds / seconds)};
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

    private static double oursToStorescp(Path work, Path dir, Path shim, Path cliJar) throws Exception {
        int port = freePort();
        Path out = clean(work.resolve("out-storescp"));
        Process scp = server(List.of("storescp", "-aet", "STORESCP", "-od", out.toString(), String.valueOf(port)), shim, port);
        try {
            return time(List.of("java", "-jar", cliJar.toString(), "store", "-c", "STORESCP@127.0.0.1:" + port, dir.toString()));
        } finally {
            scp.destroy();
            scp.waitFor(5, TimeUnit.SECONDS);
        }
    }

    private static double storescuToOurs(Path work, Path dir) throws Exception {
        Path out = clean(work.resolve("out-ours"));
        ApplicationEntity ae = new ApplicationEntity("OURSCP").accept(ApplicationEntity.ANY, ApplicationEntity.ANY);
        try (DicomServer s = DicomServer.start(ae, "127.0.0.1", 0, 4, new DimseServices().onStore(new FolderStorage(out)))) {
            return time(List.of("storescu", "-aec", "OURSCP", "+sd", "127.0.0.1", String.valueOf(s.port()), dir.toString()));
        }
    }

    private static double oursToOurs(Path work, Path dir, Path cliJar) throws Exception {
        Path out = clean(work.resolve("out-ours"));
        ApplicationEntity ae = new ApplicationEntity("OURSCP").accept(ApplicationEntity.ANY, ApplicationEntity.ANY);
        try (DicomServer s = DicomServer.start(ae, "127.0.0.1", 0, 4, new DimseServices().onStore(new FolderStorage(out)))) {
            return time(List.of("java", "-jar", cliJar.toString(), "store", "-c", "OURSCP@127.0.0.1:" + s.port(), dir.toString()));
        }
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
