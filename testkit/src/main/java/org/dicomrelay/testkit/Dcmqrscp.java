package org.dicomrelay.testkit;


import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** DCMTK's dcmqrscp with a database of pydicom samples, loopback-only, for tests of Q/R clients. */
public final class Dcmqrscp implements AutoCloseable {
    public final Peers.Server server;
    public final List<Path> files;

    private Dcmqrscp(Peers.Server server, List<Path> files) {
        this.server = server;
        this.files = files;
    }

    public int port() { return server.port; }

    /**
     * @param samples pydicom sample paths (relative to its data folder) to index
     * @param moveDestinations AE title → port on 127.0.0.1
     */
    public static Dcmqrscp start(Path work, List<String> samples, Map<String, Integer> moveDestinations) throws IOException {
        return start(work, samples, moveDestinations, Peers.freePort());
    }

    /** On a port chosen beforehand (a router's device table names it before dcmqrscp starts). */
    public static Dcmqrscp start(Path work, List<String> samples, Map<String, Integer> moveDestinations, int port) throws IOException {
        Path db = Files.createDirectories(work.resolve("db"));
        List<String> idx = new ArrayList<>(List.of("dcmqridx", db.toString()));
        List<Path> copies = new ArrayList<>();
        for (String f : samples) {
            Path copy = db.resolve(Path.of(f).getFileName());
            Files.copy(Samples.file(f), copy);
            idx.add(copy.toString());
            copies.add(copy);
        }
        Peers.Result r = Peers.run(idx, Duration.ofSeconds(60));
        if (r.exitCode() != 0) throw new IOException("dcmqridx failed:\n" + r.output());
        StringBuilder hosts = new StringBuilder();
        moveDestinations.forEach((ae, p) -> hosts.append(ae.toLowerCase()).append(" = (").append(ae).append(", 127.0.0.1, ").append(p).append(")\n"));
        Path cfg = work.resolve("dcmqrscp.cfg");
        Files.writeString(cfg, "NetworkTCPPort = " + port + "\nMaxPDUSize = 16384\nMaxAssociations = 16\n"
                + "HostTable BEGIN\n" + hosts + "HostTable END\nVendorTable BEGIN\nVendorTable END\n"
                + "AETable BEGIN\nQRSCP " + db + " RW (100, 1024mb) ANY\nAETable END\n");
        // Forking mode: dcmqrscp's single-process mode stops listening after one association.
        return new Dcmqrscp(Peers.startServer(List.of("dcmqrscp", "-c", cfg.toString()), port, work, Map.of()), copies);
    }

    @Override public void close() throws Exception {
        server.close();
    }
}
