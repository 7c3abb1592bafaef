package org.dicomrelay.providers.emulators;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Debian's nats-server as a child process: JetStream on ({@code -js}), 127.0.0.1 only, a free port,
 * its store in a temporary folder that {@link #close} removes with the process. Optionally with a
 * user and password, so that tests sign in as routers do.
 */
public final class NatsServer implements AutoCloseable {
    /** Where Debian's package puts it; PATH is searched first. */
    private static final Path DEBIAN_BINARY = Path.of("/usr/sbin/nats-server");

    private final List<String> command;
    private Process process;
    private final Path storeDir;
    private final Path logFile;
    private final int port;

    /** The nats-server binary, if installed. */
    public static Optional<Path> binary() {
        String path = System.getenv("PATH");
        List<Path> candidates = new ArrayList<>();
        if (path != null) for (String d : path.split(java.io.File.pathSeparator)) if (!d.isEmpty()) candidates.add(Path.of(d, "nats-server"));
        candidates.add(DEBIAN_BINARY);
        return candidates.stream().filter(Files::isExecutable).findFirst();
    }

    /** What a test that needs it says when it skips. */
    public static final String ABSENT = "nats-server is not installed (Debian package nats-server; scripts/test installs it)";

    public NatsServer() throws IOException {
        this(null, null);
    }

    /** @param user with {@code password}: the only account the server accepts; null for none */
    public NatsServer(String user, String password) throws IOException {
        this(user, password, null, null);
    }

    /**
     * @param tlsCertificate with {@code tlsKey} (PEM files): clients must use TLS; null for plain TCP
     */
    public NatsServer(String user, String password, Path tlsCertificate, Path tlsKey) throws IOException {
        Path bin = binary().orElseThrow(() -> new IOException(ABSENT));
        storeDir = Files.createTempDirectory("relay-nats");
        logFile = storeDir.resolve("nats-server.log");
        port = freePort();
        List<String> cmd = new ArrayList<>(List.of(bin.toString(), "-a", "127.0.0.1", "-p", Integer.toString(port), "-js",
                "-sd", storeDir.resolve("jetstream").toString(), "-l", logFile.toString()));
        if (user != null) { // in a 0600 file, not in the process's arguments (which any local user can list)
            Path conf = storeDir.resolve("auth.conf");
            Files.writeString(conf, "authorization {\n  user: \"" + user + "\"\n  password: \"" + password + "\"\n}\n");
            Files.setPosixFilePermissions(conf, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            cmd.addAll(List.of("-c", conf.toString()));
        }
        if (tlsCertificate != null) cmd.addAll(List.of("--tls", "--tlscert", tlsCertificate.toString(), "--tlskey", tlsKey.toString()));
        command = List.copyOf(cmd);
        launch();
    }

    private void launch() throws IOException {
        process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(storeDir.resolve("stdout.log").toFile())).start();
        try {
            Readiness.await("nats-server listening on 127.0.0.1:" + port, Duration.ofSeconds(30), () -> {
                if (!process.isAlive()) throw new IOException("nats-server exited with " + process.exitValue() + ": " + log());
                return accepts();
            });
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    private boolean accepts() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException notYet) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            return s.getLocalPort();
        }
    }

    /** The server's log so far (for failure messages). */
    public String log() {
        try {
            return Files.exists(logFile) ? Files.readString(logFile) : Files.readString(storeDir.resolve("stdout.log"));
        } catch (IOException e) {
            return "(no log: " + e.getClass().getSimpleName() + ")";
        }
    }

    public int port() {
        return port;
    }

    public URI url() {
        return URI.create("nats://127.0.0.1:" + port);
    }

    /** Stops the server and starts it again on the same port with the same store (JetStream keeps its streams). */
    public void restart() throws IOException {
        stop();
        launch();
    }

    private void stop() {
        process.destroy();
        try {
            if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() throws IOException {
        stop();
        try (Stream<Path> all = Files.walk(storeDir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
