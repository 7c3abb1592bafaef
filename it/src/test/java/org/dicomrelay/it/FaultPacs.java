package org.dicomrelay.it;

import org.dicomrelay.testkit.Peers;
import org.dicomrelay.testkit.StoredFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The PACS behind router B: DCMTK {@code storescp +B +uf}, which keeps the bytes as received and
 * gives every received object a file of its own, so that an instance stored twice is two files
 * and duplicates can be counted. It can be stopped and started again on the same port and
 * folder (a PACS restart), and started refusing CT Image Storage at association negotiation
 * (a PACS that does not support the SOP class: PS3.4 §B.2.3, the relay's 0122).
 */
final class FaultPacs implements AutoCloseable {
    static final String AE = "PACS_B";
    /** storescp's association profile without CT Image Storage: only Verification and MR Image Storage. */
    private static final String NO_CT_PROFILE = """
            [[TransferSyntaxes]]
            [Uncompressed]
            TransferSyntax1 = LocalEndianExplicit
            TransferSyntax2 = LittleEndianImplicit
            [[PresentationContexts]]
            [NoCt]
            PresentationContext1 = VerificationSOPClass\\Uncompressed
            PresentationContext2 = MRImageStorage\\Uncompressed
            [[Profiles]]
            [NoCt]
            PresentationContexts = NoCt
            """;

    final int port;
    final Path dir;
    private final Path work;
    private Peers.Server server;
    /** SOP Instance UID of each complete file read so far (files are never rewritten: +uf names each anew). */
    private final Map<Path, String> seen = new HashMap<>();

    FaultPacs(Path work) throws IOException {
        this.work = work;
        this.dir = Files.createDirectories(work.resolve("pacs-b"));
        this.port = Peers.freePort();
    }

    void start() throws IOException {
        start(List.of());
    }

    /** Starts refusing CT Image Storage (only Verification and MR Image Storage are accepted). */
    void startRefusingCt() throws IOException {
        Path cfg = work.resolve("storescp-no-ct.cfg");
        Files.writeString(cfg, NO_CT_PROFILE);
        start(List.of("-xf", cfg.toString(), "NoCt"));
    }

    private void start(List<String> negotiation) throws IOException {
        if (server != null) throw new IllegalStateException("the PACS is already running");
        List<String> cmd = new ArrayList<>(List.of("storescp", "+B", "+uf", "-od", dir.toString(), "-aet", AE));
        if (negotiation.isEmpty()) cmd.add("+xa");
        cmd.addAll(negotiation);
        cmd.add(String.valueOf(port));
        server = Peers.startServer(cmd, port, null, Map.of());
    }

    /** Stops storescp (SIGTERM); connections to its port are refused until {@link #start()}. */
    void stop() throws Exception {
        if (server != null) server.close();
        server = null;
    }

    /**
     * Files at the PACS by SOP Instance UID, duplicates kept (one path per stored copy). A file
     * whose meta information is still being written is left for the next call.
     */
    synchronized Map<String, List<Path>> instances() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            for (Path f : s.filter(Files::isRegularFile).toList()) {
                if (seen.containsKey(f)) continue;
                String iuid = null;
                try {
                    // StoredFiles reads the meta information with a few lines of PS3.10 of its own, not with the toolkit under
                    // test; given one file, its map has one key (null while the meta information is incomplete).
                    for (String k : StoredFiles.byInstance(f).keySet()) iuid = k;
                } catch (IOException incomplete) {
                    continue;
                }
                if (iuid != null) seen.put(f, iuid);
            }
        }
        Map<String, List<Path>> out = new HashMap<>();
        seen.forEach((f, iuid) -> out.computeIfAbsent(iuid, k -> new ArrayList<>()).add(f));
        return out;
    }

    @Override public void close() throws Exception {
        stop();
    }
}
