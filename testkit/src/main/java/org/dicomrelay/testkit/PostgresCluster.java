package org.dicomrelay.testkit;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A PostgreSQL cluster of its own for a test (Debian's {@code postgresql}): created with
 * {@code initdb} in a temporary folder, listening on 127.0.0.1 only (and a socket in that folder),
 * trust authentication for the local test user, fsync off (a test's data outlives nothing).
 * PostgreSQL refuses to run as root: as root (CI), it runs as the {@code postgres} user.
 * {@link #close()} stops it and deletes the folder.
 */
public final class PostgresCluster implements AutoCloseable {
    private static final long START_SECONDS = 60;

    private final Path dir;
    private final Path bin;
    private final int port;
    private final boolean asPostgres;

    private PostgresCluster(Path dir, Path bin, int port, boolean asPostgres) {
        this.dir = dir;
        this.bin = bin;
        this.port = port;
        this.asPostgres = asPostgres;
    }

    /** Whether this machine has PostgreSQL's server programs (tests that need it are skipped otherwise). */
    public static boolean available() {
        return binaries() != null;
    }

    /** Creates and starts a cluster with one database, {@code database}. */
    public static PostgresCluster start(String database) throws IOException, InterruptedException {
        Path bin = binaries();
        if (bin == null) throw new IOException("PostgreSQL's server programs (initdb, pg_ctl) are not installed: apt-get install postgresql");
        boolean root = "root".equals(System.getProperty("user.name"));
        Path dir = Files.createTempDirectory("pg-cluster");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        PostgresCluster pg = new PostgresCluster(dir, bin, freePort(), root);
        try {
            Path data = dir.resolve("data");
            if (root) pg.exec(List.of("chown", "postgres", dir.toString()), false);
            pg.exec(List.of(bin.resolve("initdb").toString(), "-D", data.toString(), "-A", "trust", "-U", "postgres", "-E", "UTF8",
                    "--no-sync", "--locale=C"), root);
            pg.exec(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-l", dir.resolve("server.log").toString(), "-w",
                    "-t", String.valueOf(START_SECONDS), "-o", "-h 127.0.0.1 -p " + pg.port + " -k " + dir + " -c fsync=off -c max_connections=100",
                    "start"), root);
            pg.exec(List.of(bin.resolve("createdb").toString(), "-h", "127.0.0.1", "-p", String.valueOf(pg.port), "-U", "postgres", database),
                    root);
            return pg;
        } catch (IOException | InterruptedException | RuntimeException e) {
            pg.close();
            throw e;
        }
    }

    /** The JDBC URL of {@code database} for the test user (no password: trust on loopback). */
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database + "?user=postgres";
    }

    public int port() {
        return port;
    }

    /** The last lines of the server's log, for a failing test's message. */
    public String log() {
        try {
            List<String> lines = Files.readAllLines(dir.resolve("server.log"));
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no server log: " + e.getMessage() + ")";
        }
    }

    @Override public void close() {
        try {
            if (Files.exists(dir.resolve("data/postmaster.pid"))) {
                exec(List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m", "immediate", "-w", "stop"), asPostgres);
            }
        } catch (IOException | InterruptedException e) {
            System.err.println("could not stop the test PostgreSQL cluster in " + dir + ": " + e.getMessage());
        } finally {
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                System.err.println("could not delete " + dir + ": " + e.getMessage());
            }
        }
    }

    private void exec(List<String> command, boolean runAsPostgres) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        if (runAsPostgres) cmd.addAll(List.of("runuser", "-u", "postgres", "--"));
        cmd.addAll(command);
        Path out = Files.createTempFile(dir, "exec", ".log");
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        if (!p.waitFor(START_SECONDS + 30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("timed out: " + String.join(" ", cmd));
        }
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " exited with " + p.exitValue() + ": " + Files.readString(out).strip());
        }
        Files.deleteIfExists(out);
    }

    /** The newest installed server version's programs, or null. */
    private static Path binaries() {
        Path root = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(root)) return null;
        try (Stream<Path> s = Files.list(root)) {
            return s.map(v -> v.resolve("bin"))
                    .filter(b -> Files.isExecutable(b.resolve("initdb")) && Files.isExecutable(b.resolve("pg_ctl")))
                    .max(Comparator.comparingInt(b -> version(b.getParent().getFileName().toString())))
                    .orElse(null);
        } catch (IOException e) {
            return null;
        }
    }

    private static int version(String name) {
        try {
            return Integer.parseInt(name);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
