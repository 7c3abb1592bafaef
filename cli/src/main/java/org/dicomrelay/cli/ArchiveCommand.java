package org.dicomrelay.cli;

import org.dicomrelay.archive.H2Index;
import org.dicomrelay.dicom.net.AssociationOptions;
import org.dicomrelay.dicom.net.DicomServer;
import org.dicomrelay.dicom.net.service.FolderArchive;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A Query/Retrieve SCP over a folder ({@link FolderArchive}) with its index in the folder
 * ({@link H2Index}): runs until stopped by Ctrl-C / SIGTERM (a shutdown hook closes the server,
 * then the index), by interrupting the thread that runs it, or by {@link #stop()}.
 */
@Command(name = "archive", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run a DICOM archive over a folder: C-ECHO; C-STORE, filed as DIR/StudyInstanceUID/SOPInstanceUID.dcm;"
                + " C-FIND, C-MOVE and C-GET (Patient Root and Study Root).",
                "The index lives in DIR/.index (H2 database): the folder is scanned at the first start only, later starts"
                + " use the index as it is (--rescan also indexes files copied into the folder meanwhile).",
                "Prints one line once listening, then runs until interrupted (Ctrl-C)."})
public final class ArchiveCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--aet", required = true, paramLabel = "AE", description = "our AE title (called AE of requests, calling AE of C-MOVE sub-operations)")
    String aeTitle;

    @Option(names = "--bind", paramLabel = "ADDRESS", defaultValue = "0.0.0.0",
            description = "address to listen on (default: ${DEFAULT-VALUE}, every interface, as a DICOM node on the LAN is; 127.0.0.1: this machine only)")
    String bindAddress;

    @Option(names = "--port", required = true, paramLabel = "N", description = "TCP port to listen on (0: any free port, printed)")
    int port;

    @Option(names = "--dir", required = true, paramLabel = "FOLDER", description = "the archive folder (created when missing)")
    Path dir;

    @Option(names = "--dest", paramLabel = "AE@host:port", converter = Peer.Converter.class,
            description = "a C-MOVE destination (repeatable)")
    List<Peer> destinations = new ArrayList<>();

    @Option(names = "--rescan", description = "scan the folder at start even when the index holds an earlier scan")
    boolean rescan;

    @Option(names = "--max-associations", paramLabel = "N", defaultValue = "32",
            description = "associations served at once; more are rejected as busy (default: ${DEFAULT-VALUE})")
    int maxAssociations;

    // One run per instance (picocli makes an instance per command line).
    private final CountDownLatch started = new CountDownLatch(1);
    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile int listeningPort = -1;

    @Override public Integer call() {
        if (stopped.getCount() == 0) throw new IllegalStateException("an archive command runs once");
        PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        Thread hook = new Thread(() -> {
            stopRequested.countDown();
            await(stopped, Duration.ofSeconds(30)); // let the server and the index close before the JVM halts
        }, "archive-shutdown");
        boolean hooked = false;
        try {
            Map<String, InetSocketAddress> moveDestinations = validate();
            Path folder = dir.toAbsolutePath().normalize();
            H2Index index = H2Index.open(folder);
            Runtime.getRuntime().addShutdownHook(hook);
            hooked = true;
            try (index; FolderArchive archive = new FolderArchive(folder, aeTitle, moveDestinations, index, AssociationOptions.DEFAULT)) {
                if (rescan && !archive.scannedAtStart()) archive.scan();
                DicomServer server;
                try {
                    server = DicomServer.start(archive.applicationEntity(), bindAddress, port, maxAssociations, archive.services());
                } catch (IOException e) {
                    throw new IOException("cannot listen on " + bindAddress + ":" + port + ": " + e.getMessage(), e);
                }
                try (server) {
                    listeningPort = server.port();
                    out.println("archive " + aeTitle + " listening on " + bindAddress + ":" + server.port() + ", " + index.size()
                            + " instances indexed");
                    out.flush();
                    started.countDown();
                    try {
                        stopRequested.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt(); // stop asked by interrupting: close and return
                    }
                }
            }
            err.println("archive " + aeTitle + " stopped");
            return 0;
        } catch (IOException | RuntimeException e) {
            if (e instanceof CommandLine.ParameterException pe) throw pe;
            err.println("archive: " + e.getMessage());
            return 2;
        } finally {
            if (hooked) {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // stopping because of the hook itself
                }
            }
            err.flush();
            started.countDown();
            stopped.countDown();
        }
    }

    private Map<String, InetSocketAddress> validate() {
        if (aeTitle.isBlank() || aeTitle.length() > 16 || aeTitle.contains("\\")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--aet: '" + aeTitle + "' is not an AE title (1 to 16 characters, no backslash)");
        }
        if (port < 0 || port > 65535) throw new CommandLine.ParameterException(spec.commandLine(), "--port: " + port + " is not a TCP port");
        if (maxAssociations < 1) throw new CommandLine.ParameterException(spec.commandLine(), "--max-associations must be at least 1");
        Map<String, InetSocketAddress> m = new LinkedHashMap<>();
        for (Peer p : destinations) {
            if (m.put(p.aeTitle(), InetSocketAddress.createUnresolved(p.host(), p.port())) != null) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--dest: " + p.aeTitle() + " is given twice");
            }
        }
        return m;
    }

    // ---- control, for tests and embedding ------------------------------------------------------

    /** Waits until the archive listens (then returns its port) or failed to start (returns -1). */
    int awaitStarted(Duration timeout) throws InterruptedException {
        if (!started.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) throw new IllegalStateException("archive did not start within " + timeout);
        return listeningPort;
    }

    /** Asks the running archive to stop; {@link #call()} then closes it and returns 0. */
    void stop() {
        stopRequested.countDown();
    }

    /** Waits until a stop asked for is done: server and index closed. */
    boolean awaitStopped(Duration timeout) throws InterruptedException {
        return stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static void await(CountDownLatch latch, Duration timeout) {
        try {
            latch.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
