package org.dicomrelay.providers.emulators;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Azurite (Microsoft's Azure Storage emulator, npm package {@value #VERSION}) as a child process on
 * 127.0.0.1: blob, queue (and table, unused) services on ports the system picks, data in a temp
 * folder deleted on {@link #close()}. Azurite lives in {@code <project root>/target/azurite}
 * (system property {@code azurite.home} overrides), where scripts/test installs it; a test run
 * without it installs it there first (npm, under a file lock: test JVMs may start together).
 */
public final class AzuriteServer implements AutoCloseable {
    public static final String VERSION = "3.37.0";
    /** Azurite's one built-in account and its documented, public development key: not a secret. */
    public static final String ACCOUNT = "devstoreaccount1";
    public static final String ACCOUNT_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private static final Pattern LISTENING = Pattern.compile("Azurite (Blob|Queue) service is successfully listening at (http://127\\.0\\.0\\.1:\\d+)");
    private static final long START_SECONDS = 60;

    private final Process process;
    private final Path location;
    private final ArrayDeque<String> lastLines = new ArrayDeque<>();
    private volatile URI blobService;
    private volatile URI queueService;

    /**
     * Why Azurite cannot run here (node is not installed), or empty. Under CI (environment CI=true)
     * a missing node is an error, not a reason to skip.
     */
    public static Optional<String> unavailable() {
        if (onPath("node") && onPath("npm")) return Optional.empty();
        String why = "Azurite needs node and npm on the PATH (Debian packages nodejs, npm): Azure provider tests skipped";
        if ("true".equals(System.getenv("CI"))) throw new IllegalStateException(why.replace("skipped", "cannot run in CI"));
        return Optional.of(why);
    }

    public AzuriteServer() throws IOException, InterruptedException {
        Path home = ensureInstalled();
        location = Files.createTempDirectory("azurite-");
        ProcessBuilder pb = new ProcessBuilder("node", home.resolve("node_modules/azurite/dist/src/azurite.js").toString(),
                "--disableTelemetry", "--location", location.toString(),
                "--blobHost", "127.0.0.1", "--blobPort", "0", "--queueHost", "127.0.0.1", "--queuePort", "0",
                "--tableHost", "127.0.0.1", "--tablePort", "0")
                .redirectErrorStream(true);
        process = pb.start();
        // A test JVM that ends without close() (a failed set-up, an interrupted run) does not leave node running.
        Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly, "azurite-stop"));
        CountDownLatch started = new CountDownLatch(2);
        Thread reader = new Thread(() -> drain(started), "azurite-output");
        reader.setDaemon(true);
        reader.start();
        if (!started.await(START_SECONDS, TimeUnit.SECONDS)) {
            close();
            throw new IOException("Azurite did not report its blob and queue services within " + START_SECONDS + " s; its last output: "
                    + lastOutput());
        }
    }

    private void drain(CountDownLatch started) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                synchronized (lastLines) {
                    lastLines.add(line);
                    if (lastLines.size() > 20) lastLines.removeFirst();
                }
                Matcher m = LISTENING.matcher(line);
                if (!m.find()) continue;
                URI service = URI.create(m.group(2) + "/" + ACCOUNT);
                if (m.group(1).equals("Blob")) blobService = service;
                else queueService = service;
                started.countDown();
            }
        } catch (IOException ended) {
            // the process ended: close() or a crash, which the next request reports
        }
    }

    private String lastOutput() {
        synchronized (lastLines) {
            return String.join(" | ", lastLines);
        }
    }

    /** {@code http://127.0.0.1:<port>/devstoreaccount1}: the blob service endpoint (path-style account). */
    public URI blobEndpoint() {
        return blobService;
    }

    public URI queueEndpoint() {
        return queueService;
    }

    /** Cloud IO "azure" settings for {@code container} here, with the account key (setting names of provider-azure). */
    public Map<String, String> settings(String container) {
        return Map.of("blobEndpoint", blobEndpoint().toString(), "queueEndpoint", queueEndpoint().toString(), "accountName", ACCOUNT,
                "accountKey", ACCOUNT_KEY, "container", container);
    }

    /** Where Azurite is (to be) installed: system property {@code azurite.home}, else {@code target/azurite} of the project root (or of the working folder). */
    static Path home() {
        String configured = System.getProperty("azurite.home");
        return (configured != null && !configured.isBlank() ? Path.of(configured)
                : Path.of(System.getProperty("project.root", ".")).resolve("target/azurite")).toAbsolutePath().normalize();
    }

    /** Whether node is on the PATH and the pinned Azurite is installed: the demo runs it only then (tests install it). */
    public static boolean installed() throws IOException {
        return onPath("node") && isPinnedVersion(home());
    }

    /** Where Azurite is installed, installing it first if it is not. */
    static Path ensureInstalled() throws IOException, InterruptedException {
        Path home = home();
        Path main = home.resolve("node_modules/azurite/dist/src/azurite.js");
        if (isPinnedVersion(home)) return home;
        Files.createDirectories(home);
        try (FileChannel lockFile = FileChannel.open(home.resolve(".install-lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock ignored = lockFile.lock()) {
            if (isPinnedVersion(home)) return home; // another JVM installed it meanwhile
            Process npm = new ProcessBuilder("npm", "install", "--prefix", home.toString(), "--no-audit", "--no-fund", "--loglevel=error",
                    "azurite@" + VERSION).redirectErrorStream(true).redirectOutput(home.resolve("npm-install.log").toFile()).start();
            if (!npm.waitFor(10, TimeUnit.MINUTES)) {
                npm.destroyForcibly();
                throw new IOException("npm install of azurite@" + VERSION + " into " + home + " did not finish within 10 minutes");
            }
            if (npm.exitValue() != 0 || !isPinnedVersion(home) || !Files.isRegularFile(main)) {
                throw new IOException("npm install of azurite@" + VERSION + " into " + home + " failed (exit " + npm.exitValue() + "); see "
                        + home.resolve("npm-install.log"));
            }
        }
        return home;
    }

    private static boolean isPinnedVersion(Path home) throws IOException {
        Path manifest = home.resolve("node_modules/azurite/package.json");
        return Files.isRegularFile(manifest) && Files.readString(manifest).contains("\"version\": \"" + VERSION + "\"");
    }

    private static boolean onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) return false;
        for (String dir : path.split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, program))) return true;
        }
        return false;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> files = Files.walk(location)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            // a temp folder left behind costs nothing the next test needs
        }
    }
}
