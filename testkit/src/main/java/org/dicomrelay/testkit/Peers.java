package org.dicomrelay.testkit;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Real peers for interoperability tests: DCMTK's command-line tools and servers, run as child
 * processes. Servers that bind every interface run with the loopback bind shim
 * (scripts/loopback-bind.c) so they are reachable on 127.0.0.1 only; DCMTK runs with
 * TCP_NODELAY=1 (it leaves Nagle on otherwise).
 */
public final class Peers {
    private Peers() {}

    private static Path shim;

    /** The LD_PRELOAD shim: built by scripts/test (system property loopback.shim), or here with gcc. */
    public static synchronized Path loopbackShim() throws IOException {
        if (shim != null) return shim;
        String prop = System.getProperty("loopback.shim");
        if (prop != null && Files.isRegularFile(Path.of(prop))) return shim = Path.of(prop);
        Path src = Path.of(System.getProperty("project.root", "..")).resolve("scripts/loopback-bind.c").toAbsolutePath().normalize();
        Path out = Files.createTempDirectory("shim").resolve("loopback-bind.so");
        run(List.of("gcc", "-shared", "-fPIC", "-O2", "-o", out.toString(), src.toString(), "-ldl"), Duration.ofSeconds(60));
        return shim = out;
    }

    public static void requireTool(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, tool))) return;
        }
        throw new IllegalStateException(tool + " not found: run ./scripts/test, which installs dcmtk and orthanc");
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            return s.getLocalPort();
        }
    }

    public record Result(int exitCode, String output) {}

    /** Runs a client tool to completion, with output (stdout and stderr) captured. */
    public static Result run(List<String> command, Duration timeout) throws IOException {
        requireTool(command.get(0));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("TCP_NODELAY", "1");
        Path log = Files.createTempFile("peer", ".log");
        pb.redirectOutput(log.toFile());
        Process p = pb.start();
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", command) + " did not finish within " + timeout.toSeconds() + " s:\n" + readLog(log));
            }
            return new Result(p.exitValue(), readLog(log));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IOException("interrupted");
        } finally {
            Files.deleteIfExists(log);
        }
    }

    /** Tool output as text: UTF-8, with bytes of other character sets (DCMTK prints values as received) replaced. */
    static String readLog(Path log) throws IOException {
        return new String(Files.readAllBytes(log), java.nio.charset.StandardCharsets.UTF_8);
    }

    /** A server process, loopback-only, stopped on close. */
    public static final class Server implements AutoCloseable {
        private final Process process;
        private final Path log;
        public final int port;

        private Server(Process process, Path log, int port) {
            this.process = process;
            this.log = log;
            this.port = port;
        }

        public String log() throws IOException { return readLog(log); }

        public boolean isAlive() { return process.isAlive(); }

        @Override public void close() throws Exception {
            process.destroy();
            if (!process.waitFor(5, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            Files.deleteIfExists(log);
        }
    }

    /** Starts a server that listens on {@code port}, and waits until it accepts connections. */
    public static Server startServer(List<String> command, int port, Path workDir, Map<String, String> env) throws IOException {
        requireTool(command.get(0));
        ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true);
        if (workDir != null) pb.directory(workDir.toFile());
        pb.environment().put("LD_PRELOAD", loopbackShim().toString());
        pb.environment().put("TCP_NODELAY", "1");
        pb.environment().putAll(env);
        Path log = Files.createTempFile("server", ".log");
        pb.redirectOutput(log.toFile());
        Process p = pb.start();
        Server server = new Server(p, log, port);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) throw new IOException(command.get(0) + " exited with " + p.exitValue() + ":\n" + readLog(log));
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return server;
            } catch (IOException notYet) {
                try {
                    p.waitFor(50, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        try {
            server.close();
        } catch (Exception ignored) {
            // reporting the start failure matters more
        }
        throw new IOException(command.get(0) + " did not listen on port " + port + " within 30 s");
    }
}
