package org.dicomrelay.cli;

import org.dicomrelay.dicom.io.SyntheticStudy;
import org.dicomrelay.dicom.net.ApplicationEntity;
import org.dicomrelay.dicom.net.DicomServer;
import org.dicomrelay.dicom.net.service.DimseServices;
import picocli.CommandLine;

import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The training run of the launcher's AppCDS archive: the client commands a user times (store of a folder,
 * echo, dump) run once against an SCP of our own on 127.0.0.1, so that the archive holds the classes they
 * load, not only those of {@code --help}. A separate entry point, never a subcommand: nothing a user
 * sees. Exits non-zero if a command fails, and the launcher then keeps no archive.
 */
public final class CdsTraining {
    private static final String SCP_AE = "CDSTRAINING";

    private CdsTraining() {}

    public static void main(String[] args) throws Exception {
        System.exit(train());
    }

    /** Runs the commands; 0 when every one succeeded. */
    static int train() throws Exception {
        Path dir = Files.createTempDirectory("dicom-relay-cds");
        int code;
        try {
            Path file = SyntheticStudy.write(dir, 2, 64, "Training^CDS", "CDS").files().get(0);
            ApplicationEntity ae = new ApplicationEntity(SCP_AE).accept(ApplicationEntity.ANY, ApplicationEntity.ANY);
            DimseServices services = new DimseServices().onStore((as, rq, data) -> {
                try (InputStream in = data) {
                    in.transferTo(OutputStream.nullOutputStream());
                }
                return 0;
            });
            try (DicomServer scp = DicomServer.start(ae, "127.0.0.1", 0, 1, services)) {
                String peer = SCP_AE + "@127.0.0.1:" + scp.port();
                code = run("--help") | run("store", "-c", peer, dir.toString()) | run("echo", "-c", peer) | run("dump", file.toString());
            }
        } finally {
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        return code;
    }

    private static int run(String... args) {
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(new StringWriter())).setErr(new PrintWriter(new StringWriter()));
        return cl.execute(args);
    }
}
